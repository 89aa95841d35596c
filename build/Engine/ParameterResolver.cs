using System.Reflection;
using System.Text.Json;

namespace ServiceMesh.Build.Engine;

/// <summary>Finds the build's <see cref="ParameterAttribute"/> members and sets them from command line, file, environment.</summary>
internal static class ParameterResolver
{
    private const BindingFlags Members = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static IReadOnlyList<ResolvedParameter> Resolve(
        object build,
        IReadOnlyDictionary<string, IReadOnlyList<string>> commandLine,
        string? parametersFile,
        IReadOnlyDictionary<string, string> environment,
        string environmentPrefix)
    {
        var members = FindMembers(build.GetType());
        var known = members.ToDictionary(m => ParameterValues.ToKebabCase(m.Name), StringComparer.OrdinalIgnoreCase);
        var unknown = commandLine.Keys.Where(k => !known.ContainsKey(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new BuildFailureException(
                $"Unknown parameter '--{unknown[0]}'. Known parameters: {string.Join(", ", known.Keys.Select(k => "--" + k))} (and --help, --plan, --skip).",
                ExitCodes.UsageError);
        }

        var file = ReadParametersFile(parametersFile, members);
        var resolved = new List<ResolvedParameter>();
        foreach (var member in members)
        {
            var attribute = member.GetCustomAttribute<ParameterAttribute>()!;
            var type = TypeOf(member);
            var kebab = ParameterValues.ToKebabCase(member.Name);
            var variable = environmentPrefix + ParameterValues.ToUpperSnakeCase(member.Name);
            (object? Value, ParameterSource Source, string Detail) value;
            if (commandLine.TryGetValue(kebab, out var cli))
            {
                value = (ParameterValues.Convert(member.Name, type, cli, $"the command line (--{kebab})"), ParameterSource.CommandLine, "--" + kebab);
            }
            else if (file.TryGetValue(member.Name, out var json))
            {
                value = (ParameterValues.Convert(member.Name, type, ParameterValues.FromJson(json), $"{parametersFile}"), ParameterSource.ParametersFile, ".nuke/parameters.json");
            }
            else if (environment.TryGetValue(variable, out var env) && env.Length > 0)
            {
                value = (ParameterValues.Convert(member.Name, type, ParameterValues.FromEnvironment(env, type), $"the environment ({variable})"), ParameterSource.Environment, variable);
            }
            else
            {
                value = (GetValue(build, member), ParameterSource.Default, "default");
            }

            SetValue(build, member, value.Value);
            resolved.Add(new ResolvedParameter(member.Name, attribute.Description, type, value.Value, value.Source, value.Detail, attribute.Secret));
        }

        return resolved;
    }

    /// <summary>How many command-line values the parameter spelled <paramref name="kebabName"/> takes (unknown: many, reported later).</summary>
    public static OptionArity ArityOf(object build, string kebabName)
    {
        var member = FindMembers(build.GetType())
            .FirstOrDefault(m => string.Equals(ParameterValues.ToKebabCase(m.Name), kebabName, StringComparison.OrdinalIgnoreCase));
        var type = member is null ? typeof(string[]) : TypeOf(member);
        return type == typeof(bool) ? OptionArity.Flag : type == typeof(string[]) ? OptionArity.Many : OptionArity.One;
    }

    private static List<MemberInfo> FindMembers(Type type)
    {
        var members = new List<MemberInfo>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            members.AddRange(t.GetFields(Members | BindingFlags.DeclaredOnly).Where(f => f.IsDefined(typeof(ParameterAttribute))));
            members.AddRange(t.GetProperties(Members | BindingFlags.DeclaredOnly).Where(p => p.IsDefined(typeof(ParameterAttribute))));
        }

        return members.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    private static Dictionary<string, JsonElement> ReadParametersFile(string? path, List<MemberInfo> members)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        if (path is null || !File.Exists(path))
        {
            return values;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new BuildFailureException($"{path} is not valid JSON ({e.Message}); expected an object of parameter names to values.", ExitCodes.UsageError);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new BuildFailureException($"{path} must hold a JSON object of parameter names to values.", ExitCodes.UsageError);
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.StartsWith('$'))
                {
                    continue; // "$schema" and the like
                }

                if (!members.Exists(m => string.Equals(m.Name, property.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new BuildFailureException(
                        $"{path} sets unknown parameter '{property.Name}'. Known parameters: {string.Join(", ", members.Select(m => m.Name))}.",
                        ExitCodes.UsageError);
                }

                values[property.Name] = property.Value.Clone();
            }
        }

        return values;
    }

    private static Type TypeOf(MemberInfo member) => member switch
    {
        FieldInfo f => f.FieldType,
        PropertyInfo p => p.PropertyType,
        _ => throw new InvalidOperationException(member.Name),
    };

    private static object? GetValue(object build, MemberInfo member) => member switch
    {
        FieldInfo f => f.GetValue(build),
        PropertyInfo p => p.GetValue(build),
        _ => null,
    };

    private static void SetValue(object build, MemberInfo member, object? value)
    {
        switch (member)
        {
            case FieldInfo f:
                f.SetValue(build, value);
                break;
            case PropertyInfo p:
                p.SetValue(build, value);
                break;
        }
    }
}
