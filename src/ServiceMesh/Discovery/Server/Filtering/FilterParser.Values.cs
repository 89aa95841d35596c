namespace ServiceMesh.Discovery.Server.Filtering;

/// <summary>The value side of a match: a bare selector path (its text), a number literal, or a quoted string.</summary>
internal sealed partial class FilterParser
{
    private const string NonZeroDigit = "[1-9]";

    private Parsed Value() => Rule(20, "\"value\"", () => Choice(
        () => Selector() is { Ok: true, Value: List<string> path } ? Parsed.Of(string.Join('.', path)) : Parsed.Fail,
        NumberLiteral,
        StringLiteral));

    private Parsed NumberLiteral() => Rule(21, "\"number\"", () => Choice(
        () =>
        {
            var start = _pos;
            return Seq(() => Optional(() => Lit("-")) && IntegerOrFloat() && Ahead(AfterNumbers)) ? Parsed.Of(_text[start.._pos]) : Parsed.Fail;
        },
        () => Seq(() => Optional(() => Lit("-")) && IntegerOrFloat() && Not(AfterNumbers) && RuleError("Invalid number literal"))
            ? Parsed.Of(null) : Parsed.Fail));

    // &(_ / EOF / ")")
    private bool AfterNumbers() => Rule(22, "AfterNumbers", () =>
        Ahead(() => Choice(() => Spaces() ? Parsed.Of(null) : Parsed.Fail, () => Eof() ? Parsed.Of(null) : Parsed.Fail,
            () => Lit(")") ? Parsed.Of(null) : Parsed.Fail).Ok) ? Parsed.Of(null) : Parsed.Fail).Ok;

    private bool IntegerOrFloat() => Rule(23, "IntegerOrFloat", () =>
    {
        var whole = Lit("0") || Seq(() => Class(NonZeroDigit, c => c is >= '1' and <= '9') && ZeroOrMore(() => Class(Digit, char.IsAsciiDigit)));
        return whole && Optional(() => Seq(() => Lit(".") && Class(Digit, char.IsAsciiDigit) && ZeroOrMore(() => Class(Digit, char.IsAsciiDigit))))
            ? Parsed.Of(null) : Parsed.Fail;
    }).Ok;

    private Parsed StringLiteral() => Rule(24, "\"string\"", () => Choice(
        () =>
        {
            var start = _pos;
            if (!Seq(() => Quoted("`", closed: true) || Quoted("\"", closed: true)))
            {
                return Parsed.Fail;
            }

            var literal = _text[start.._pos];
            if (GoQuote.Unquote(literal) is { } value)
            {
                return Parsed.Of(value);
            }
            AddError(start, "invalid syntax"); // strconv.Unquote's error, raised by the rule's action at its start
            return Parsed.Of(literal);
        },
        () => Seq(() => (Quoted("`", closed: false) || Quoted("\"", closed: false)) && Eof() && RuleError("Unterminated string literal"))
            ? Parsed.Of(null) : Parsed.Fail));

    // quote (!quote .)* [quote]
    private bool Quoted(string quote, bool closed) => Seq(() =>
        Lit(quote) && ZeroOrMore(() => Seq(() => Not(() => Lit(quote)) && Any())) && (!closed || Lit(quote)));
}
