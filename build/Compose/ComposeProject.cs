namespace ServiceMesh.Build.Compose;

/// <summary>Compose as the platform runs it (project <c>lucid-foundation</c>, .env.service-mesh). With no bridge network,
/// <see cref="RenderedFile"/> (<see cref="HostNetworkRendering"/>: no networks or ports, which cannot combine with
/// <c>network_mode: host</c>) replaces the platform files, under the host-network override.</summary>
internal sealed record ComposeProject(string Name, string ConfigsDirectory, bool HostNetwork, string RenderedFile = "")
{
    public const string Service = "service-mesh";

    public string DockerDirectory => Path.Combine(ConfigsDirectory, "docker");

    public string EnvironmentDirectory => Path.Combine(ConfigsDirectory, "environment");

    public string SecretsFile => Path.Combine(EnvironmentDirectory, ".env.secrets");

    public string ServiceEnvironmentFile => Path.Combine(EnvironmentDirectory, ".env.service-mesh");

    /// <summary>The files a Lucid host runs with (they describe the platform's real deployment).</summary>
    public IReadOnlyList<string> PlatformFiles =>
    [
        Path.Combine(DockerDirectory, "docker-compose.foundation.yml"),
        Path.Combine(DockerDirectory, "docker-compose.core.yml"),
    ];

    public IReadOnlyList<string> Files => HostNetwork
        ? [RenderedFile, Path.Combine(DockerDirectory, "docker-compose.host-network.yml")]
        : PlatformFiles;

    /// <summary>The global options before the compose command (<c>up</c>, <c>down</c>…).</summary>
    public IReadOnlyList<string> GlobalArguments =>
        ["--project-name", Name, "--env-file", ServiceEnvironmentFile, .. Files.SelectMany(f => new[] { "--file", f })];

    /// <summary>The same project on the platform files alone (what <c>config</c> renders).</summary>
    public ComposeProject Platform => this with { HostNetwork = false };

    /// <summary>KEY=VALUE lines of an env file (comments and blank lines skipped).</summary>
    public static IReadOnlyDictionary<string, string> ReadEnvironmentFile(string path) =>
        File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
}
