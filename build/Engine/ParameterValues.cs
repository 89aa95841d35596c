using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ServiceMesh.Build.Engine;

/// <summary>Converts raw parameter text to typed values, and names parameters the way each source spells them.</summary>
internal static class ParameterValues
{
    /// <summary><c>ImageSizeBudget</c> → <c>image-size-budget</c>.</summary>
    public static string ToKebabCase(string name) => Split(name, '-').ToLowerInvariant();

    /// <summary><c>ImageSizeBudget</c> → <c>IMAGE_SIZE_BUDGET</c>.</summary>
    public static string ToUpperSnakeCase(string name) => Split(name, '_').ToUpperInvariant();

    public static object Convert(string parameter, Type type, IReadOnlyList<string> values, string origin)
    {
        if (type == typeof(bool))
        {
            if (values.Count == 0)
            {
                return true;
            }

            return values.Count == 1 && bool.TryParse(values[0], out var flag)
                ? flag
                : throw Invalid(parameter, values, origin, "true or false");
        }

        if (type == typeof(string[]))
        {
            return values.ToArray();
        }

        if (values.Count != 1)
        {
            throw Invalid(parameter, values, origin, $"exactly one {Describe(type)}");
        }

        var text = values[0];
        if (type == typeof(string))
        {
            return text;
        }

        if (type == typeof(int))
        {
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw Invalid(parameter, values, origin, "an integer");
        }

        if (type == typeof(double))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw Invalid(parameter, values, origin, "a number");
        }

        if (type.IsEnum)
        {
            return Enum.TryParse(type, text, ignoreCase: true, out var member) && Enum.IsDefined(type, member!)
                ? member!
                : throw Invalid(parameter, values, origin, $"one of {string.Join(", ", Enum.GetNames(type))}");
        }

        throw new BuildFailureException($"Parameter '{parameter}' has unsupported type {type.Name}.", ExitCodes.UsageError);
    }

    /// <summary>Reads a parameters.json value as the list of raw strings the converter takes.</summary>
    public static IReadOnlyList<string> FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList(),
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.True or JsonValueKind.False => [element.GetRawText()],
        JsonValueKind.Number => [element.GetRawText()],
        _ => [element.GetRawText()],
    };

    /// <summary>Environment values hold lists separated by commas or whitespace.</summary>
    public static IReadOnlyList<string> FromEnvironment(string value, Type type) => type == typeof(string[])
        ? value.Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        : [value];

    public static string Format(object? value) => value switch
    {
        null => "(not set)",
        string s when s.Length == 0 => "(empty)",
        string[] list => list.Length == 0 ? "(none)" : string.Join(" ", list),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string Describe(Type type) => type switch
    {
        _ when type == typeof(string) => "string",
        _ when type == typeof(bool) => "bool",
        _ when type == typeof(int) => "integer",
        _ when type == typeof(double) => "number",
        _ when type == typeof(string[]) => "list",
        _ when type.IsEnum => string.Join("|", Enum.GetNames(type)),
        _ => type.Name,
    };

    private static BuildFailureException Invalid(string parameter, IReadOnlyList<string> values, string origin, string expected) =>
        new($"Parameter '{parameter}' from {origin} has the value '{string.Join(" ", values)}'; expected {expected}.", ExitCodes.UsageError);

    private static string Split(string name, char separator)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
            {
                builder.Append(separator);
            }

            builder.Append(name[i]);
        }

        return builder.ToString();
    }
}
