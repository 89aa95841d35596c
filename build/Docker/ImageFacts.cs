namespace ServiceMesh.Build.Docker;

/// <summary>An image's configuration as the Engine API reports it (only what the build and the verification rules look at).</summary>
internal sealed record ImageFacts(
    string Id,
    string Os,
    string Architecture,
    long Size,
    string User,
    string WorkingDirectory,
    IReadOnlyList<string> Entrypoint,
    HealthcheckFacts? Healthcheck,
    IReadOnlyList<string> ExposedPorts,
    IReadOnlyList<string> Environment,
    IReadOnlyList<string> Volumes,
    IReadOnlyDictionary<string, string> Labels);

/// <summary>A HEALTHCHECK: <c>Test</c> as Docker stores it (<c>["CMD", exe, args…]</c> for the exec form).</summary>
internal sealed record HealthcheckFacts(IReadOnlyList<string> Test, TimeSpan Interval, TimeSpan Timeout, TimeSpan StartPeriod, int Retries);
