using System.Globalization;
using System.Text.Json;

namespace ServiceMesh.Discovery.Server.Filtering;

/// <summary>
/// Evaluates a checked expression against one response element as JSON, with bexpr's semantics: a selector that goes
/// through a list matches when any element does; a missing map key matches only the negative operators; a field the
/// JSON omits (null) has Go's zero value.
/// </summary>
internal static class FilterEvaluator
{
    public static bool Evaluate(FilterExpression expression, JsonElement element, FieldShape root) => expression switch
    {
        BinaryFilter { IsAnd: true } and => Evaluate(and.Left, element, root) && Evaluate(and.Right, element, root),
        BinaryFilter or => Evaluate(or.Left, element, root) || Evaluate(or.Right, element, root),
        NotFilter not => !Evaluate(not.Operand, element, root),
        CheckedMatch match => Walk(match, element, root, 0),
        _ => false,
    };

    private static bool Walk(CheckedMatch match, JsonElement value, FieldShape shape, int depth)
    {
        var selector = match.Source.Selector;
        if (depth == selector.Count)
        {
            return Leaf(match, value, shape);
        }

        var name = selector[depth];
        switch (shape.Kind)
        {
            case FieldKind.List:
            case FieldKind.Opaque when value.ValueKind == JsonValueKind.Array:
                return value.ValueKind == JsonValueKind.Array && value.EnumerateArray().Any(item => Walk(match, item, shape.Kind == FieldKind.List ? shape.Element! : shape, depth));
            case FieldKind.Struct:
                return Walk(match, Property(value, name) ?? default, shape.Child(name)!, depth + 1);
            default: // a map, or an opaque object: a key that is not there
                return Property(value, name) is { } entry
                    ? Walk(match, entry, shape.Kind == FieldKind.Map ? shape.Element! : shape, depth + 1)
                    : match.Source.Operator is MatchOperator.NotEqual or MatchOperator.IsEmpty or MatchOperator.NotIn or MatchOperator.NotMatches;
        }
    }

    private static JsonElement? Property(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var found) && found.ValueKind != JsonValueKind.Null ? found : null;

    private static bool Leaf(CheckedMatch match, JsonElement value, FieldShape shape) => match.Source.Operator switch
    {
        MatchOperator.Equal => Equal(value, shape, match.Value),
        MatchOperator.NotEqual => !Equal(value, shape, match.Value),
        MatchOperator.In => Contains(value, shape, match.Value),
        MatchOperator.NotIn => !Contains(value, shape, match.Value),
        MatchOperator.IsEmpty => IsEmpty(value),
        MatchOperator.IsNotEmpty => !IsEmpty(value),
        MatchOperator.Matches => match.Pattern!.IsMatch(Text(value)),
        _ => !match.Pattern!.IsMatch(Text(value)),
    };

    private static bool Equal(JsonElement value, FieldShape shape, object? wanted) => shape.Kind switch
    {
        FieldKind.String => Text(value) == (string?)wanted,
        FieldKind.Integer => (value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0L) == (long)wanted!,
        FieldKind.Unsigned => (value.ValueKind == JsonValueKind.Number ? value.GetUInt64() : 0UL) == (ulong)wanted!,
        FieldKind.Float => (value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0d) == (double)wanted!,
        FieldKind.Boolean => (value.ValueKind == JsonValueKind.True) == (bool)wanted!,
        _ => LooseEqual(value, (string?)wanted ?? ""),
    };

    // in / contains: a substring of a string, an element of a list, a key of a map.
    private static bool Contains(JsonElement value, FieldShape shape, object? wanted) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Contains((string)wanted!, StringComparison.Ordinal),
        JsonValueKind.Array => value.EnumerateArray().Any(item => Equal(item, shape.Kind == FieldKind.List ? shape.Element! : shape, wanted)),
        JsonValueKind.Object => value.TryGetProperty((string)wanted!, out _),
        _ => shape.Kind == FieldKind.String && ((string)wanted!).Length == 0,
    };

    private static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.Object => !value.EnumerateObject().Any(),
        JsonValueKind.String => value.GetString()!.Length == 0,
        _ => true,
    };

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "",
    };

    // A field kept verbatim has no declared type: its JSON value is compared as the text the expression gave.
    private static bool LooseEqual(JsonElement value, string wanted) => value.ValueKind switch
    {
        JsonValueKind.Number => double.TryParse(wanted, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && value.GetDouble() == n,
        JsonValueKind.True or JsonValueKind.False => bool.TryParse(wanted, out var b) && b == (value.ValueKind == JsonValueKind.True),
        _ => Text(value) == wanted,
    };
}
