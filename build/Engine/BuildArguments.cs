namespace ServiceMesh.Build.Engine;

/// <summary>The command line split into targets, engine switches and parameter options.</summary>
internal sealed record BuildArguments(
    IReadOnlyList<string> Targets,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Options,
    bool Help,
    bool Plan,
    IReadOnlyList<string>? Skip,
    string? Root)
{
    public static BuildArguments Parse(IReadOnlyList<string> args)
    {
        var targets = new List<string>();
        var options = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        List<string>? current = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith('-') && arg.Length > 1 && !double.TryParse(arg, out _))
            {
                var name = arg.TrimStart('-');
                var equals = name.IndexOf('=', StringComparison.Ordinal);
                var inline = equals >= 0 ? name[(equals + 1)..] : null;
                name = equals >= 0 ? name[..equals] : name;
                name = name is "h" or "?" ? "help" : name;
                if (options.ContainsKey(name))
                {
                    throw new BuildFailureException($"Option '--{name}' is given twice.", ExitCodes.UsageError);
                }

                current = [];
                if (inline is not null)
                {
                    current.Add(inline);
                }

                options[name] = current;
            }
            else if (current is null)
            {
                targets.Add(arg);
            }
            else
            {
                current.Add(arg);
            }
        }

        var help = Take(options, "help") is not null;
        var plan = Take(options, "plan") is not null;
        var skip = Take(options, "skip");
        var root = Take(options, "root") is [var single] ? single : null;
        return new BuildArguments(
            targets,
            options.ToDictionary(o => o.Key, o => (IReadOnlyList<string>)o.Value, StringComparer.OrdinalIgnoreCase),
            help,
            plan,
            skip,
            root);
    }

    private static List<string>? Take(Dictionary<string, List<string>> options, string name) =>
        options.Remove(name, out var values) ? values : null;
}
