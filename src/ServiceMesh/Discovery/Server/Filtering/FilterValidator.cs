using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace ServiceMesh.Discovery.Server.Filtering;

/// <summary>A match checked against the element's fields: the field it ends on, its value coerced to that field's type.</summary>
internal sealed record CheckedMatch(MatchFilter Source, FieldShape Leaf, object? Value, Regex? Pattern) : FilterExpression;

/// <summary>
/// bexpr's validation of a parsed expression against the type it filters, with its messages: a selector that names no
/// field, an operator the field does not support, a value that does not convert to the field's type.
/// </summary>
internal static class FilterValidator
{
    private static readonly TimeSpan RegexBudget = TimeSpan.FromSeconds(1);

    public static FilterExpression Check(FilterExpression expression, FieldShape root) => expression switch
    {
        BinaryFilter binary => binary with { Left = Check(binary.Left, root), Right = Check(binary.Right, root) },
        NotFilter not => not with { Operand = Check(not.Operand, root) },
        MatchFilter match => CheckMatch(match, root),
        _ => expression,
    };

    private static CheckedMatch CheckMatch(MatchFilter match, FieldShape root)
    {
        var field = root;
        for (var i = 0; i < match.Selector.Count; i++)
        {
            field = field.Child(match.Selector[i])
                ?? throw new FilterException($"Selector {GoQuote.Quote(string.Join('.', match.Selector.Take(i + 1)))} is not valid");
        }
        if (!field.Supports(match.Operator))
        {
            throw new FilterException($"Invalid match operator {GoQuote.Quote(match.Operator.DisplayName())} for selector {GoQuote.Quote(match.SelectorText)}");
        }
        if (match.Value is not { } raw)
        {
            return new CheckedMatch(match, field, null, null);
        }

        var target = field.Kind == FieldKind.List ? field.Element! : field;
        if (Coerce(raw, target.Kind) is { Error: { } error })
        {
            throw new FilterException($"Failed to coerce value {GoQuote.Quote(raw)} for selector {GoQuote.Quote(match.SelectorText)}: {error}");
        }
        var value = Coerce(raw, target.Kind).Value;
        return new CheckedMatch(match, field, value, match.Operator is MatchOperator.Matches or MatchOperator.NotMatches ? Compile(raw) : null);
    }

    // RE2 (Go's regexp) runs in linear time; the non-backtracking engine is .NET's equivalent, with a budget besides.
    private static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, RegexBudget);
        }
        catch (ArgumentException e)
        {
            throw new FilterException($"Failed to compile regular expression {GoQuote.Quote(pattern)}: {e.Message}");
        }
    }

    private readonly record struct Coerced(object? Value, string? Error);

    // Go's strconv parsers as bexpr calls them (ParseInt and ParseUint with base 0), with their error text.
    private static Coerced Coerce(string raw, FieldKind kind) => kind switch
    {
        FieldKind.Integer => ParseInteger(raw, signed: true) is { } i ? new Coerced((long)i, null) : Syntax("ParseInt", raw, Range(raw, signed: true)),
        FieldKind.Unsigned => ParseInteger(raw, signed: false) is { } u ? new Coerced((ulong)u, null) : Syntax("ParseUint", raw, Range(raw, signed: false)),
        FieldKind.Float => double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && !raw.Contains(',', StringComparison.Ordinal)
            ? new Coerced(f, null) : Syntax("ParseFloat", raw, false),
        FieldKind.Boolean => raw switch
        {
            "1" or "t" or "T" or "TRUE" or "true" or "True" => new Coerced(true, null),
            "0" or "f" or "F" or "FALSE" or "false" or "False" => new Coerced(false, null),
            _ => Syntax("ParseBool", raw, false),
        },
        _ => new Coerced(raw, null),
    };

    private static Coerced Syntax(string function, string raw, bool outOfRange) =>
        new(null, $"strconv.{function}: parsing {GoQuote.Quote(raw)}: {(outOfRange ? "value out of range" : "invalid syntax")}");

    private static bool Range(string raw, bool signed) => ParseBig(raw) is { } big && (signed ? big < long.MinValue || big > long.MaxValue : big > ulong.MaxValue);

    private static BigInteger? ParseInteger(string raw, bool signed) =>
        ParseBig(raw) is { } big && (signed ? big >= long.MinValue && big <= long.MaxValue : big >= 0 && big <= ulong.MaxValue && raw[0] != '-' && raw[0] != '+')
            ? big : null;

    // Base 0: an optional sign, then 0x, 0o, 0b or a leading 0 (octal) choose the base; underscores only with a prefix.
    private static BigInteger? ParseBig(string raw)
    {
        var text = raw.AsSpan();
        var negative = text.Length > 0 && text[0] == '-';
        text = text.Length > 0 && text[0] is '-' or '+' ? text[1..] : text;
        var radix = 10;
        var digits = text;
        if (text.Length > 1 && text[0] == '0')
        {
            radix = char.ToLowerInvariant(text[1]) switch { 'x' => 16, 'o' => 8, 'b' => 2, _ => 0 };
            digits = radix == 0 ? text[1..] : text[2..];
            radix = radix == 0 ? 8 : radix;
        }
        var prefixed = digits.Length != text.Length;
        if (digits.IsEmpty || (!prefixed && digits.Contains('_')) || digits[0] == '_' || digits[^1] == '_')
        {
            return text.Length == 1 && text[0] == '0' ? BigInteger.Zero : null;
        }

        var value = BigInteger.Zero;
        foreach (var c in digits)
        {
            var d = c switch { >= '0' and <= '9' => c - '0', >= 'a' and <= 'f' => c - 'a' + 10, >= 'A' and <= 'F' => c - 'A' + 10, '_' => -1, _ => 99 };
            if (d == -1)
            {
                continue;
            }
            if (d >= radix)
            {
                return null;
            }
            value = (value * radix) + d;
        }
        return negative ? -value : value;
    }
}
