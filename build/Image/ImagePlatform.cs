using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Image;

/// <summary>An image platform such as linux/arm64, with the names the other tools use for it.</summary>
internal sealed record ImagePlatform(string Os, string Architecture)
{
    public static readonly ImagePlatform LinuxArm64 = new("linux", "arm64");
    public static readonly ImagePlatform LinuxAmd64 = new("linux", "amd64");

    /// <summary>The .NET runtime identifier Publish builds for this platform.</summary>
    public string RuntimeIdentifier => Architecture == "arm64" ? "linux-arm64" : "linux-x64";

    /// <summary>Debian names architectures the way Docker does (arm64, amd64).</summary>
    public string DebianArchitecture => Architecture;

    public static ImagePlatform Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "linux/arm64" or "linux/arm64/v8" => LinuxArm64,
        "linux/amd64" => LinuxAmd64,
        _ => throw new BuildFailureException($"Platform '{text}' is not supported; expected linux/arm64 or linux/amd64.", ExitCodes.UsageError),
    };

    public override string ToString() => $"{Os}/{Architecture}";
}
