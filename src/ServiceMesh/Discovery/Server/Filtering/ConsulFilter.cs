using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ServiceMesh.Discovery.Server.Filtering;

/// <summary>
/// A ?filter= expression bound to the type of the elements it filters (bexpr.CreateFilter): parsed and checked against
/// that type up front, or, as Consul's agent/checks does it, checked only when there is a first element to test.
/// </summary>
internal sealed class ConsulFilter
{
    /// <summary>bexpr.CreateFilter's prefix for an expression it could not parse or check.</summary>
    public const string CreateError = "Failed to create boolean expression evaluator: ";

    private readonly FilterExpression _parsed;
    private readonly FieldShape _shape;
    private FilterExpression? _checked;

    private ConsulFilter(FilterExpression parsed, FieldShape shape, FilterExpression? checkedExpression)
    {
        _parsed = parsed;
        _shape = shape;
        _checked = checkedExpression;
    }

    /// <summary>The filter for these elements, or null without an expression; <see cref="FilterException"/> with Consul's message.</summary>
    public static ConsulFilter? Create(string? expression, JsonTypeInfo element, bool checkOnFirstUse = false)
    {
        if (string.IsNullOrEmpty(expression))
        {
            return null;
        }

        try
        {
            var parsed = FilterParser.Parse(expression);
            var shape = FieldShape.Of(element);
            return new ConsulFilter(parsed, shape, checkOnFirstUse ? null : FilterValidator.Check(parsed, shape));
        }
        catch (FilterException e)
        {
            throw new FilterException(CreateError + e.Message);
        }
    }

    public bool Matches<T>(T element, JsonTypeInfo<T> type)
    {
        _checked ??= FilterValidator.Check(_parsed, _shape);
        return FilterEvaluator.Evaluate(_checked, JsonSerializer.SerializeToElement(element, type), _shape);
    }
}

internal static class ConsulFilterExtensions
{
    /// <summary>The elements the filter keeps (all of them without a filter).</summary>
    public static List<T> Keep<T>(this ConsulFilter? filter, IEnumerable<T> items, JsonTypeInfo<T> type) =>
        filter is null ? items.ToList() : items.Where(item => filter.Matches(item, type)).ToList();

    /// <summary>The entries whose values the filter keeps, keys unchanged (agent/services, agent/checks).</summary>
    public static Dictionary<string, T> Keep<T>(this ConsulFilter? filter, IEnumerable<KeyValuePair<string, T>> entries, JsonTypeInfo<T> type) =>
        (filter is null ? entries : entries.Where(entry => filter.Matches(entry.Value, type))).ToDictionary(StringComparer.Ordinal);
}
