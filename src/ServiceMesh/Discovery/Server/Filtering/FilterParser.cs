namespace ServiceMesh.Discovery.Server.Filtering;

/// <summary>
/// Consul's filter language (go-bexpr's grammar, rule for rule): or below and below not; parentheses; a match is
/// selector op value, selector is [not] empty, or value [not] in selector. A value is a bare identifier path, a number, or
/// a "quoted" or `raw` string.
/// </summary>
internal sealed partial class FilterParser
{
    private const string Whitespace = "[ \\t\\r\\n]";
    private const string Letter = "[a-zA-Z]";
    private const string IdentifierChar = "[a-zA-Z0-9_]";
    private const string Digit = "[0-9]";

    /// <summary>The expression's tree, or <see cref="FilterException"/> with pigeon's message (position and what was expected).</summary>
    public static FilterExpression Parse(string text)
    {
        var parser = new FilterParser(text);
        var result = parser.Rule(0, "Input", parser.Input);
        if (parser._errors.Count > 0)
        {
            throw new FilterException(string.Join('\n', parser._errors));
        }
        if (!result.Ok)
        {
            throw new FilterException(parser.NoMatch());
        }
        return (FilterExpression)result.Value!;
    }

    private Parsed Input() => Choice(
        () => Wrapped(() => Optional(Spaces) && Lit("(") && Optional(Spaces), ")", end: true),
        () => Wrapped(() => Optional(Spaces), null, end: true));

    // [prefix] OrExpression _? [closing] (_? EOF when end)
    private Parsed Wrapped(Func<bool> prefix, string? closing, bool end)
    {
        object? value = null;
        var ok = Seq(() => prefix() && Take(OrExpression(), out value) && Optional(Spaces)
            && (closing is null || (Lit(closing) && (!end || Optional(Spaces)))) && (!end || Eof()));
        return ok ? Parsed.Of(value) : Parsed.Fail;
    }

    private Parsed OrExpression() => Rule(1, "OrExpression", () => Choice(
        () => Binary(AndExpression, "or", OrExpression, isAnd: false),
        AndExpression));

    private Parsed AndExpression() => Rule(2, "AndExpression", () => Choice(
        () => Binary(NotExpression, "and", AndExpression, isAnd: true),
        NotExpression));

    private Parsed Binary(Func<Parsed> left, string keyword, Func<Parsed> right, bool isAnd)
    {
        object? l = null, r = null;
        return Seq(() => Take(left(), out l) && Spaces() && Lit(keyword) && Spaces() && Take(right(), out r))
            ? Parsed.Of(new BinaryFilter(isAnd, (FilterExpression)l!, (FilterExpression)r!))
            : Parsed.Fail;
    }

    private Parsed NotExpression() => Rule(3, "NotExpression", () => Choice(
        () =>
        {
            object? operand = null;
            return Seq(() => Lit("not") && Spaces() && Take(NotExpression(), out operand))
                ? Parsed.Of(operand is NotFilter twice ? twice.Operand : new NotFilter((FilterExpression)operand!))
                : Parsed.Fail;
        },
        ParenthesizedExpression));

    private Parsed ParenthesizedExpression() => Rule(4, "\"grouping\"", () => Choice(
        () => Wrapped(() => Lit("(") && Optional(Spaces), ")", end: false),
        MatchExpression,
        () => Seq(() => Lit("(") && Optional(Spaces) && OrExpression().Ok && Optional(Spaces) && Not(() => Lit(")"))
            && RuleError("Unmatched parentheses")) ? Parsed.Of(null) : Parsed.Fail));

    private Parsed MatchExpression() => Rule(5, "\"match\"", () => Choice(SelectorOpValue, SelectorOp, ValueOpSelector));

    private Parsed SelectorOpValue() => Rule(6, "\"match\"", () =>
    {
        object? selector = null, op = null, value = null;
        return Seq(() => Take(Selector(), out selector)
            && Take(Choice(Equal, NotEqual, Contains, NotContains, MatchesOp, NotMatchesOp), out op) && Take(Value(), out value))
            ? Parsed.Of(new MatchFilter((IReadOnlyList<string>)selector!, (MatchOperator)op!, (string)value!))
            : Parsed.Fail;
    });

    private Parsed SelectorOp() => Rule(7, "\"match\"", () =>
    {
        object? selector = null, op = null;
        return Seq(() => Take(Selector(), out selector) && Take(Choice(IsEmpty, IsNotEmpty), out op))
            ? Parsed.Of(new MatchFilter((IReadOnlyList<string>)selector!, (MatchOperator)op!, null))
            : Parsed.Fail;
    });

    private Parsed ValueOpSelector() => Rule(8, "\"match\"", () => Choice(
        () =>
        {
            object? value = null, op = null, selector = null;
            return Seq(() => Take(Value(), out value) && Take(Choice(In, NotIn), out op) && Take(Selector(), out selector))
                ? Parsed.Of(new MatchFilter((IReadOnlyList<string>)selector!, (MatchOperator)op!, (string)value!))
                : Parsed.Fail;
        },
        () => Seq(() => Value().Ok && Choice(In, NotIn).Ok && Not(() => Selector().Ok) && RuleError("Invalid selector"))
            ? Parsed.Of(null) : Parsed.Fail));

    private Parsed Equal() => Operator(() => Optional(Spaces) && Lit("==") && Optional(Spaces), MatchOperator.Equal);
    private Parsed NotEqual() => Operator(() => Optional(Spaces) && Lit("!=") && Optional(Spaces), MatchOperator.NotEqual);
    private Parsed IsEmpty() => Operator(() => Spaces() && Lit("is") && Spaces() && Lit("empty"), MatchOperator.IsEmpty);
    private Parsed IsNotEmpty() => Operator(() => Spaces() && Lit("is") && Spaces() && Lit("not") && Spaces() && Lit("empty"), MatchOperator.IsNotEmpty);
    private Parsed In() => Operator(() => Spaces() && Lit("in") && Spaces(), MatchOperator.In);
    private Parsed NotIn() => Operator(() => Spaces() && Lit("not") && Spaces() && Lit("in") && Spaces(), MatchOperator.NotIn);
    private Parsed Contains() => Operator(() => Spaces() && Lit("contains") && Spaces(), MatchOperator.In);
    private Parsed NotContains() => Operator(() => Spaces() && Lit("not") && Spaces() && Lit("contains") && Spaces(), MatchOperator.NotIn);
    private Parsed MatchesOp() => Operator(() => Spaces() && Lit("matches") && Spaces(), MatchOperator.Matches);
    private Parsed NotMatchesOp() => Operator(() => Spaces() && Lit("not") && Spaces() && Lit("matches") && Spaces(), MatchOperator.NotMatches);

    private Parsed Operator(Func<bool> tokens, MatchOperator op) => Seq(tokens) ? Parsed.Of(op) : Parsed.Fail;

    private Parsed Selector() => Rule(9, "\"selector\"", () =>
    {
        object? first = null;
        if (!Take(Identifier(), out first))
        {
            return Parsed.Fail;
        }

        var path = new List<string> { (string)first! };
        ZeroOrMore(() => Take(SelectorOrIndex(), out var part) && Add(path, (string)part!));
        return Parsed.Of(path);
    });

    private Parsed Identifier() => Rule(10, "Identifier", () =>
    {
        var start = _pos;
        return Class(Letter, char.IsAsciiLetter) && ZeroOrMore(() => Class(IdentifierChar, c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            ? Parsed.Of(_text[start.._pos])
            : Parsed.Fail;
    });

    private Parsed SelectorOrIndex() => Rule(11, "SelectorOrIndex", () => Choice(
        () =>
        {
            object? name = null;
            return Seq(() => Lit(".") && Take(Identifier(), out name)) ? Parsed.Of(name) : Parsed.Fail;
        },
        IndexExpression,
        () =>
        {
            var start = _pos;
            return Seq(() => Lit(".") && Class(Digit, char.IsAsciiDigit) && ZeroOrMore(() => Class(Digit, char.IsAsciiDigit)))
                ? Parsed.Of(_text[(start + 1).._pos]) : Parsed.Fail;
        }));

    private Parsed IndexExpression() => Rule(12, "\"index\"", () => Choice(
        () =>
        {
            object? key = null;
            return Seq(() => Lit("[") && Optional(Spaces) && Take(StringLiteral(), out key) && Optional(Spaces) && Lit("]"))
                ? Parsed.Of(key) : Parsed.Fail;
        },
        () => Seq(() => Lit("[") && Optional(Spaces) && Not(() => StringLiteral().Ok) && RuleError("Invalid index")) ? Parsed.Of(null) : Parsed.Fail,
        () => Seq(() => Lit("[") && Optional(Spaces) && StringLiteral().Ok && Optional(Spaces) && Not(() => Lit("]"))
            && RuleError("Unclosed index expression")) ? Parsed.Of(null) : Parsed.Fail));

    private static bool Add(List<string> path, string part)
    {
        path.Add(part);
        return true;
    }

    private static bool Take(Parsed parsed, out object? value)
    {
        value = parsed.Value;
        return parsed.Ok;
    }

    private bool Spaces() => Rule(13, "\"whitespace\"", () =>
        Class(Whitespace, IsSpace) && ZeroOrMore(() => Class(Whitespace, IsSpace)) ? Parsed.Of(null) : Parsed.Fail).Ok;

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private bool Eof() => Not(Any);
}
