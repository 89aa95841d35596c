namespace ServiceMesh.Configuration;

/// <summary>The outcome of reading the configuration: options, or one line per problem (exit 78).</summary>
internal sealed record MeshConfigurationResult(MeshOptions? Options, IReadOnlyList<string> Problems)
{
    /// <summary>Lines to show at start that do not stop it (an earlier-format service-mesh.yaml: what was ignored).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

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
        var configPath = Lookup(environment, MeshSettings.ConfigPath.EnvironmentName) ?? MeshSettings.ConfigPath.Default;
        var yamlPath = Path.Combine(configPath, MeshSettings.YamlFileName);
        var yaml = Path.IsPathFullyQualified(configPath) ? YamlSettingsFile.Read(yamlPath, MeshSettings.YamlKeys, environment) : YamlSettings.Empty;

        var aliasProblems = new List<string>();
        var raw = MeshSettings.All.ToDictionary(s => s, s => Resolve(s, environment, yaml, yamlPath, aliasProblems));
        var parser = new MeshOptionsParser(raw);
        var options = parser.Parse();
        var problems = yaml.Problems.Concat(aliasProblems).Concat(parser.Problems).ToList();
        return new(problems.Count == 0 ? options : null, problems) { Warnings = yaml.Warning is { } warning ? [warning] : [] };
    }

    /// <summary>The process environment as a dictionary; tests pass their own instead of mutating this.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    private static RawSetting Resolve(MeshSetting setting, IReadOnlyDictionary<string, string?> environment, YamlSettings yaml, string yamlPath, List<string> problems)
    {
        if (FromEnvironment(setting, environment, problems) is { } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (setting.YamlKey is not null && yaml.Values.TryGetValue(setting.YamlKey, out var fromYaml))
        {
            return new(setting, fromYaml.Value.Trim(), $"{yamlPath} line {fromYaml.Line}, key {fromYaml.SourceKey ?? setting.YamlKey}");
        }

        return new(setting, setting.Default, null);
    }

    /// <summary>
    /// The variable under its name or an earlier one (<see cref="MeshSetting.Aliases"/>). Names set to the same value
    /// agree; different values are one problem naming each variable and its value, since neither can be assumed meant.
    /// </summary>
    private static RawSetting? FromEnvironment(MeshSetting setting, IReadOnlyDictionary<string, string?> environment, List<string> problems)
    {
        var set = setting.Names.Select(name => (Name: name, Value: Lookup(environment, name))).Where(n => n.Value is not null).ToList();
        if (set.Count == 0)
        {
            return null;
        }

        if (set.Select(n => n.Value).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            var earlier = set.Where(n => n.Name != setting.EnvironmentName).Select(n => n.Name).ToList();
            problems.Add($"{string.Join(" and ", set.Select(n => setting.Secret ? $"{n.Name} (hidden)" : $"{n.Name}='{n.Value}'"))}: "
                + $"different values for one setting ({string.Join(" and ", earlier)} {(earlier.Count == 1 ? "is the earlier name" : "are earlier names")} of {setting.EnvironmentName}); "
                + "expected only one of them set, or all set to the same value");
        }
        var (name, value) = set[0];
        return new(setting, value!, name == setting.EnvironmentName ? null : $"set as {name}, the earlier name of {setting.EnvironmentName}");
    }

    // An empty variable counts as unset: compose files often write `HTTP_PORT=` to mean "default".
    private static string? Lookup(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
