namespace ServiceMesh.Install;

/// <summary>One line of verify-install's report.</summary>
internal sealed record InstallCheck(bool Passed, string Subject, string Detail)
{
    public override string ToString() => $"{(Passed ? "ok  " : "FAIL")} {Subject}: {Detail}";
}

/// <summary>Where verify-install looks: the app folder, the markers folder, and the prefix for markers' absolute roots.</summary>
internal sealed record InstallLayout(string AppDirectory, string MarkersDirectory, string? RootPrefix)
{
    public const string ExecutableName = "service-mesh";
    public const string DefaultMarkersDirectory = "/app/markers";
    public static readonly string[] DefaultConfigFiles = ["config/service-mesh.yaml", "config/services.yaml", "config/policies.yaml"];
}
