using ServiceMesh.Discovery.Server.Filtering;

namespace ServiceMesh.Tests.Discovery.Server.Filtering;

/// <summary>go-bexpr's grammar: precedence, the operator spellings, values, and pigeon's messages for what does not parse.</summary>
public sealed class FilterParserTests
{
    [Fact] // consul#7338: the message a real agent gave for agent/services?filter=foo
    public void Parse_BareWord_ConsulsNoMatchMessage()
    {
        Should.Throw<FilterException>(() => FilterParser.Parse("foo")).Message
            .ShouldBe("1:4 (3): no match found, expected: \"!=\", \".\", \"==\", \"[\", [ \\t\\r\\n] or [a-zA-Z0-9_]");
    }

    [Fact] // consul#9441: an unquoted address
    public void Parse_UnquotedAddress_InvalidNumberLiteralAfterTheNumber()
    {
        Should.Throw<FilterException>(() => FilterParser.Parse("Address == 10.10.10.10 ")).Message
            .ShouldBe("1:17 (16): rule \"number\": Invalid number literal");
    }

    [Theory]
    [InlineData("Name == \"abc", "1:13 (12): rule \"string\": Unterminated string literal")]
    [InlineData("(Name == a", "1:11 (10): rule \"grouping\": Unmatched parentheses")]
    [InlineData("Meta[abc] == x", "1:6 (5): rule \"index\": Invalid index")]
    [InlineData("Meta[\"abc\" == x", "1:12 (11): rule \"index\": Unclosed index expression")]
    [InlineData("abc in 5", "1:8 (7): rule \"match\": Invalid selector")]
    public void Parse_RuleErrors_PositionAndRule(string text, string message)
    {
        Should.Throw<FilterException>(() => FilterParser.Parse(text)).Message.ShouldBe(message);
    }

    [Fact]
    public void Parse_TrailingWord_ExpectsAndOrEof()
    {
        var message = Should.Throw<FilterException>(() => FilterParser.Parse("Name == a b")).Message;

        message.ShouldStartWith("1:11 (10): no match found, expected: ");
        message.ShouldContain("\"and\"");
        message.ShouldEndWith("or EOF");
    }

    [Fact]
    public void Parse_NotBindsTighterThanOr_AndTighterThanOr()
    {
        FilterParser.Parse("not a == 1 or b == 2").ShouldBe(
            new BinaryFilter(false, new NotFilter(Match("a", MatchOperator.Equal, "1")), Match("b", MatchOperator.Equal, "2")));
        FilterParser.Parse("a == 1 or b == 2 and c == 3").ShouldBe(
            new BinaryFilter(false, Match("a", MatchOperator.Equal, "1"),
                new BinaryFilter(true, Match("b", MatchOperator.Equal, "2"), Match("c", MatchOperator.Equal, "3"))));
        FilterParser.Parse("not (a == 1 or b == 2)").ShouldBe(
            new NotFilter(new BinaryFilter(false, Match("a", MatchOperator.Equal, "1"), Match("b", MatchOperator.Equal, "2"))));
        FilterParser.Parse("not not a == 1").ShouldBe(Match("a", MatchOperator.Equal, "1"));
    }

    [Theory]
    [InlineData("Tags contains v1", "In", "v1")]
    [InlineData("v1 in Tags", "In", "v1")]
    [InlineData("\"v1\" not in Tags", "NotIn", "v1")]
    [InlineData("Tags not contains `v1`", "NotIn", "v1")]
    [InlineData("Tags is empty", "IsEmpty", null)]
    [InlineData("Tags is not empty", "IsNotEmpty", null)]
    [InlineData("Tags matches \"^v[0-9]$\"", "Matches", "^v[0-9]$")]
    [InlineData("Tags not matches x", "NotMatches", "x")]
    [InlineData("Tags != -1.5", "NotEqual", "-1.5")]
    [InlineData("Tags==\"a\\tb\"", "Equal", "a\tb")]
    public void Parse_Operators_SelectorOperatorAndValue(string text, string op, string? value)
    {
        FilterParser.Parse(text).ShouldBe(Match("Tags", Enum.Parse<MatchOperator>(op), value));
    }

    [Fact]
    public void Parse_SelectorPaths_DotsIndexesAndBareValuePaths()
    {
        FilterParser.Parse("Service.Meta[\"env\"] == prod.eu").ShouldBe(new MatchFilter(["Service", "Meta", "env"], MatchOperator.Equal, "prod.eu"));
        FilterParser.Parse(" ( Node.Meta.os == linux ) ").ShouldBe(new MatchFilter(["Node", "Meta", "os"], MatchOperator.Equal, "linux"));
    }

    private static MatchFilter Match(string selector, MatchOperator op, string? value) => new([selector], op, value);
}
