namespace ServiceMesh.Configuration;

/// <summary>The outcome of reading the configuration: options, or one line per problem (exit 78).</summary>
internal sealed record MeshConfigurationResult(MeshOptions? Options, IReadOnlyList<string> Problems)
{
    public bool IsValid => Options is not null && Problems.Count == 0;
}

/// <summary>A raw value and where it came from, so an error line can point at the right place.</summary>
internal sealed record RawSetting(MeshSetting Setting, string Value, string? Origin)
{
    /// <summary>"HTTP_PORT='abc'" or, from the yaml, "HTTP_PORT='abc' (service-mesh.yaml line 3, key server.http_port)".</summary>
    public string Describe() =>
        $"{Setting.EnvironmentName}={(Setting.Secret ? "(hidden)" : $"'{Value}'")}{(Origin is null ? "" : $" ({Origin})")}";
}

/// <summary>
/// Resolves every setting with the precedence environment &gt; service-mesh.yaml (in CONFIG_PATH) &gt; defaults,
/// then validates all of them at once so a user sees every problem in one run.
/// </summary>
internal static class MeshConfiguration
{
    public static MeshConfigurationResult Load(IReadOnlyDictionary<string, string?> environment)
    {
        var configPath = Lookup(environment, MeshSettings.ConfigPath) ?? MeshSettings.ConfigPath.Default;
        var yamlPath = Path.Combine(configPath, MeshSettings.YamlFileName);
        var yaml = Path.IsPathFullyQualified(configPath) ? YamlSettingsFile.Read(yamlPath, MeshSettings.YamlKeys) : YamlSettings.Empty;

        var raw = MeshSettings.All.ToDictionary(s => s, s => Resolve(s, environment, yaml, yamlPath));
        var parser = new MeshOptionsParser(raw);
        var options = parser.Parse();
        var problems = yaml.Problems.Concat(parser.Problems).ToList();
        return new(problems.Count == 0 ? options : null, problems);
    }

    /// <summary>The process environment as a dictionary; tests pass their own instead of mutating this.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    private static RawSetting Resolve(MeshSetting setting, IReadOnlyDictionary<string, string?> environment, YamlSettings yaml, string yamlPath)
    {
        if (Lookup(environment, setting) is { } fromEnvironment)
            return new(setting, fromEnvironment, null);
        if (setting.YamlKey is not null && yaml.Values.TryGetValue(setting.YamlKey, out var fromYaml))
            return new(setting, fromYaml.Value.Trim(), $"{yamlPath} line {fromYaml.Line}, key {setting.YamlKey}");
        return new(setting, setting.Default, null);
    }

    // An empty variable counts as unset: compose files often write `HTTP_PORT=` to mean "default".
    private static string? Lookup(IReadOnlyDictionary<string, string?> environment, MeshSetting setting) =>
        environment.TryGetValue(setting.EnvironmentName, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
