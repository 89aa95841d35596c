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
    /// <summary>
    /// Splits the command line. An option takes as many values as its kind allows (<paramref name="arityOf"/>):
    /// a flag takes none (or true/false), a single-valued parameter one, a list all that follow; any further
    /// bare word is a target, so <c>--configuration Release Compile</c> invokes Compile.
    /// </summary>
    public static BuildArguments Parse(IReadOnlyList<string> args, Func<string, OptionArity> arityOf)
    {
        var targets = new List<string>();
        var options = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        List<string>? current = null;
        var arity = OptionArity.Many;
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
                arity = name switch
                {
                    "help" or "plan" => OptionArity.Flag,
                    "root" => OptionArity.One,
                    "skip" => OptionArity.Many,
                    _ => arityOf(name),
                };
                if (inline is not null)
                {
                    current.Add(inline);
                }

                options[name] = current;
            }
            else if (current is null || !Accepts(arity, current, arg))
            {
                targets.Add(arg);
                current = null;
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

    private static bool Accepts(OptionArity arity, List<string> values, string arg) => arity switch
    {
        OptionArity.Flag => values.Count == 0 && bool.TryParse(arg, out _),
        OptionArity.One => values.Count == 0,
        _ => true,
    };

    private static List<string>? Take(Dictionary<string, List<string>> options, string name) =>
        options.Remove(name, out var values) ? values : null;
}

/// <summary>How many values an option takes on the command line.</summary>
internal enum OptionArity
{
    Flag,
    One,
    Many,
}
