using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Envoy.Policies;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Tests.Configuration;

/// <summary>The shared rules of the YAML readers: values, problems with file, line and key, and one duration rule.</summary>
public sealed class YamlNodeReaderTests
{
    private const string File = "test.yaml";

    private static YamlMappingNode Map(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode Value(string text) => Map($"key: {text}").Children[new YamlScalarNode("key")];

    [Fact]
    public void Scalar_Value_ReturnedAsWritten()
    {
        var reader = new YamlNodeReader(File);

        reader.Scalar(Value("hello"), "key").ShouldBe("hello");
        reader.Problems.ShouldBeEmpty();
    }

    [Fact]
    public void Scalar_ListOrMapping_ProblemWithFileLineAndKey()
    {
        var reader = new YamlNodeReader(File);

        reader.Scalar(Map("a: 1\nb: [1, 2]\n").Children[new YamlScalarNode("b")], "b").ShouldBeNull();

        reader.Problems.ShouldHaveSingleItem().ShouldBe("test.yaml line 2, key 'b': expected a single value");
    }

    [Fact]
    public void Scalar_WithResolve_ResolvedValue()
    {
        var reader = new YamlNodeReader(File, value => value.Replace("${HOST}", "db", StringComparison.Ordinal));

        reader.Scalar(Map("host: ${HOST}\n"), "host", "svc").ShouldBe("db");
    }

    [Fact]
    public void Scalar_RequiredKeyMissing_ProblemIsRequired()
    {
        var reader = new YamlNodeReader(File);

        reader.Scalar(Map("port: 80\n"), "name", "services[0]", required: true).ShouldBeNull();

        reader.Problems.ShouldHaveSingleItem().ShouldBe("test.yaml line 1, key 'services[0].name': is required");
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("100", 100)]
    public void Number_WithinRange_Value(string text, int expected) =>
        new YamlNodeReader(File).Number(Value(text), "key", 0, 100).ShouldBe(expected);

    [Theory]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData("ten")]
    public void Number_OutsideRangeOrNotANumber_ProblemNamesRange(string text)
    {
        var reader = new YamlNodeReader(File);

        reader.Number(Value(text), "key", 0, 100).ShouldBeNull();

        reader.Problems.ShouldHaveSingleItem().ShouldBe($"test.yaml line 1, key 'key': expected a whole number from 0 to 100, found '{text}'");
    }

    [Fact]
    public void Port_NotAPort_ProblemQuotesPortRule()
    {
        var reader = new YamlNodeReader(File);

        reader.Port(Value("http"), "port").ShouldBeNull();

        reader.Problems.ShouldHaveSingleItem().ShouldBe("test.yaml line 1, key 'port': expected a port from 1 to 65535, found 'http'");
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Bool_TrueOrFalse_Value(string text, bool expected) =>
        new YamlNodeReader(File).Bool(Value(text), "tcp").ShouldBe(expected);

    [Fact]
    public void Bool_OtherWord_ProblemExpectedTrueOrFalse()
    {
        var reader = new YamlNodeReader(File);

        reader.Bool(Value("yes"), "tcp").ShouldBeNull();

        reader.Problems.ShouldHaveSingleItem().ShouldBe("test.yaml line 1, key 'tcp': expected true or false, found 'yes'");
    }

    [Theory]
    [InlineData("1ms", 1)]
    [InlineData("250ms", 250)]
    [InlineData("1m30s", 90_000)]
    [InlineData("24h", 86_400_000)]
    public void Duration_From1msTo24h_Value(string text, long milliseconds) =>
        new YamlNodeReader(File).Duration(Value(text), "interval").ShouldBe(TimeSpan.FromMilliseconds(milliseconds));

    [Theory]
    [InlineData("0")]
    [InlineData("500us")]
    [InlineData("24h1s")]
    [InlineData("fast")]
    [InlineData("10")]
    public void Duration_OutsideRangeOrNotADuration_ProblemNamesRange(string text)
    {
        var reader = new YamlNodeReader(File);

        reader.Duration(Value(text), "interval").ShouldBeNull();

        reader.Problems.ShouldHaveSingleItem().ShouldBe($"test.yaml line 1, key 'interval': expected a duration from 1ms to 24h such as 250ms, 5s or 1m30s, found '{text}'");
    }

    [Fact]
    public void Duration_NarrowerMaximum_ProblemNamesThatMaximum()
    {
        var reader = new YamlNodeReader(File);

        reader.Duration(Value("6m"), "timeout", TimeSpan.FromMinutes(5)).ShouldBeNull();

        reader.Problems.ShouldHaveSingleItem().ShouldEndWith("expected a duration from 1ms to 5m such as 250ms, 5s or 1m30s, found '6m'");
    }

    [Fact]
    public void Duration_Unbounded_LongAcceptedAndZeroRefused()
    {
        var reader = new YamlNodeReader(File);

        reader.Duration(Value("720h"), "after", YamlNodeReader.Unbounded).ShouldBe(TimeSpan.FromDays(30));
        reader.Duration(Value("0s"), "after", YamlNodeReader.Unbounded).ShouldBeNull();

        reader.Problems.ShouldHaveSingleItem().ShouldEndWith("expected a duration of 1ms or more such as 250ms, 5s or 1m30s, found '0s'");
    }

    [Fact]
    public void List_Sequence_EachValue()
    {
        var reader = new YamlNodeReader(File);

        reader.List(Value("[a, b]"), "to").Select(i => i.Value).ShouldBe(["a", "b"]);
        reader.Problems.ShouldBeEmpty();
    }

    [Fact]
    public void List_SingleValue_ListOfOne() =>
        new YamlNodeReader(File).List(Value("a"), "to").Select(i => i.Value).ShouldBe(["a"]);

    [Fact]
    public void List_NestedMappingItem_ProblemExpectedSingleValue()
    {
        var reader = new YamlNodeReader(File);

        reader.List(Value("[a, {b: c}]"), "to").Select(i => i.Value).ShouldBe(["a"]);

        reader.Problems.ShouldHaveSingleItem().ShouldBe("test.yaml line 1, key 'to': expected a single value");
    }

    [Fact]
    public void Entries_Mapping_KeysAndValuesInOrder()
    {
        var reader = new YamlNodeReader(File);

        reader.Entries(Map("b: 1\na: 2\n"), "").Select(e => e.Key).ShouldBe(["b", "a"]);
        reader.Problems.ShouldBeEmpty();
    }

    [Fact]
    public void Entries_NotAMapping_ProblemNamesShape()
    {
        var reader = new YamlNodeReader(File);

        reader.Entries(Value("[1]"), "upstreams.a", "settings").ShouldBeEmpty();

        reader.Problems.ShouldHaveSingleItem().ShouldBe("test.yaml line 1, key 'upstreams.a': expected a mapping (settings)");
    }

    [Fact]
    public void Entries_TopLevelNotAMapping_ProblemNamesTopLevel()
    {
        var reader = new YamlNodeReader(File);

        reader.Entries(Value("x"), "").ShouldBeEmpty();

        reader.Problems.ShouldHaveSingleItem().ShouldBe("test.yaml line 1, key '(top level)': expected a mapping (key: value)");
    }

    [Fact]
    public void UnknownKeys_KeyOutsideKnown_ProblemListsKnownKeys()
    {
        var reader = new YamlNodeReader(File);

        reader.UnknownKeys(Map("name: a\ncolour: red\n"), "services[0]", ["name", "port"]);

        reader.Problems.ShouldHaveSingleItem().ShouldBe("test.yaml line 2, key 'services[0].colour': unknown key (known: name, port)");
    }

    private sealed record Limits(int Count, TimeSpan Wait);

    private static readonly YamlField<Limits>[] LimitFields =
    [
        YamlField.Number<Limits>("count", 1, 10, (l, v) => l with { Count = v }),
        YamlField.Duration<Limits>("wait", (l, v) => l with { Wait = v }),
    ];

    [Fact]
    public void Section_TableOfFields_EachRowAppliedOverTheBaseline()
    {
        var reader = new YamlNodeReader(File);

        var limits = reader.Section(Map("wait: 5s\n"), "limits", new Limits(3, TimeSpan.FromSeconds(1)), LimitFields);

        limits.ShouldBe(new Limits(3, TimeSpan.FromSeconds(5)));
        reader.Problems.ShouldBeEmpty();
    }

    [Fact]
    public void Section_UnknownOrInvalidKey_ProblemsAndBaselineKept()
    {
        var reader = new YamlNodeReader(File);

        var limits = reader.Section(Map("count: 11\ncolour: red\n"), "limits", new Limits(3, TimeSpan.FromSeconds(1)), LimitFields);

        limits.ShouldBe(new Limits(3, TimeSpan.FromSeconds(1)));
        reader.Problems.ShouldBe([
            "test.yaml line 1, key 'limits.count': expected a whole number from 1 to 10, found '11'",
            "test.yaml line 2, key 'limits.colour': unknown key (known: count, wait)",
        ]);
    }

    [Fact]
    public void IsServiceName_NotALabel_ProblemQuotesTheRule()
    {
        var reader = new YamlNodeReader(File);

        reader.IsServiceName(Value("Api_Gateway"), "from", "Api_Gateway").ShouldBeFalse();

        reader.Problems.ShouldHaveSingleItem().ShouldStartWith("test.yaml line 1, key 'from': 'Api_Gateway' is not a service name: expected ");
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("25h")]
    [InlineData("500us")]
    public void Duration_SameBadValueInEachFile_SameMessage(string text)
    {
        var policy = PolicyFile.Parse("policies.yaml", $"upstream_defaults:\n  health_check:\n    interval: {text}\n").Problems.ShouldHaveSingleItem();
        var services = ServiceDefinitionsFile.Parse("services.yaml", $"services:\n  - name: a\n    port: 80\n    check: {{ tcp: true, interval: {text} }}\n").Problems.ShouldHaveSingleItem();
        var earlier = ServiceDefinitionsFile.Parse("services.yaml", $"services:\n  a:\n    port: 80\n    health_check: {{ type: tcp, interval: {text} }}\n").Problems.ShouldHaveSingleItem();

        var expected = YamlNodeReader.DurationExpected(YamlNodeReader.MaximumDuration, text);
        policy.ShouldBe($"policies.yaml line 3, key 'upstream_defaults.health_check.interval': {expected}");
        services.ShouldBe($"services.yaml line 4, key 'services[0].check.interval': {expected}");
        earlier.ShouldBe($"services.yaml line 4, key 'services.a.health_check.interval': {expected}");
    }
}
