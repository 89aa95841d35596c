namespace ServiceMesh.Build.Compose;

/// <summary>
/// The compose invocation the platform uses: project <c>lucid-foundation</c>, the foundation and core files (plus the
/// host-network override on an engine without a bridge), and .env.service-mesh for ${…} substitution.
/// </summary>
internal sealed record ComposeProject(string Name, string ConfigsDirectory, bool HostNetwork)
{
    public const string Service = "service-mesh";

    public string DockerDirectory => Path.Combine(ConfigsDirectory, "docker");

    public string EnvironmentDirectory => Path.Combine(ConfigsDirectory, "environment");

    public string SecretsFile => Path.Combine(EnvironmentDirectory, ".env.secrets");

    public string ServiceEnvironmentFile => Path.Combine(EnvironmentDirectory, ".env.service-mesh");

    public IReadOnlyList<string> Files =>
    [
        Path.Combine(DockerDirectory, "docker-compose.foundation.yml"),
        Path.Combine(DockerDirectory, "docker-compose.core.yml"),
        .. HostNetwork ? [Path.Combine(DockerDirectory, "docker-compose.host-network.yml")] : Array.Empty<string>(),
    ];

    /// <summary>The global options before the compose command (<c>up</c>, <c>down</c>…).</summary>
    public IReadOnlyList<string> GlobalArguments =>
        ["--project-name", Name, "--env-file", ServiceEnvironmentFile, .. Files.SelectMany(f => new[] { "--file", f })];

    /// <summary>KEY=VALUE lines of an env file (comments and blank lines skipped).</summary>
    public static IReadOnlyDictionary<string, string> ReadEnvironmentFile(string path) =>
        File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
}
