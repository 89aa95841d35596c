namespace ServiceMesh.Discovery.Server.Filtering;

/// <summary>A parsed filter expression (go-bexpr's AST: and/or, not, and one match per leaf).</summary>
internal abstract record FilterExpression;

internal sealed record BinaryFilter(bool IsAnd, FilterExpression Left, FilterExpression Right) : FilterExpression;

internal sealed record NotFilter(FilterExpression Operand) : FilterExpression;

/// <summary>One match: a dotted selector, an operator and the raw value text (null for is empty / is not empty).</summary>
internal sealed record MatchFilter(IReadOnlyList<string> Selector, MatchOperator Operator, string? Value) : FilterExpression
{
    /// <summary>The selector as bexpr prints it in its messages: its parts joined by dots.</summary>
    public string SelectorText => string.Join('.', Selector);

    public bool Equals(MatchFilter? other) =>
        other is not null && Selector.SequenceEqual(other.Selector, StringComparer.Ordinal) && Operator == other.Operator && Value == other.Value;

    public override int GetHashCode() => HashCode.Combine(SelectorText, Operator, Value);
}

/// <summary>bexpr's match operators; contains and not contains parse to In and NotIn.</summary>
internal enum MatchOperator
{
    Equal,
    NotEqual,
    In,
    NotIn,
    IsEmpty,
    IsNotEmpty,
    Matches,
    NotMatches,
}

internal static class MatchOperators
{
    /// <summary>The name bexpr's messages use ("Invalid match operator \"Is Empty\" ...").</summary>
    public static string DisplayName(this MatchOperator op) => op switch
    {
        MatchOperator.Equal => "Equal",
        MatchOperator.NotEqual => "Not Equal",
        MatchOperator.In => "In",
        MatchOperator.NotIn => "Not In",
        MatchOperator.IsEmpty => "Is Empty",
        MatchOperator.IsNotEmpty => "Is Not Empty",
        MatchOperator.Matches => "Matches",
        _ => "Not Matches",
    };
}

/// <summary>A filter Consul would refuse, with the message Consul sends (its HTTP layer answers it as a 500).</summary>
internal sealed class FilterException(string message) : Exception(message);
