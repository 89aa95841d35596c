using System.Text.Json;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Server.Filtering;

namespace ServiceMesh.Tests.Discovery.Server.Filtering;

/// <summary>Every operator over Consul's response shapes, bexpr's collection semantics, and its messages for bad selectors and values.</summary>
public sealed class ConsulFilterTests
{
    private static readonly AgentService Web = new()
    {
        Id = "web-1", Service = "web", Tags = ["v1", "connect"], Port = 8080, Address = "10.0.0.5",
        Meta = new Dictionary<string, string> { ["env"] = "prod", ["team"] = "" }, EnableTagOverride = true,
        TaggedAddresses = new Dictionary<string, ServiceAddress> { ["lan"] = new() { Address = "10.0.0.5", Port = 8080 } },
        Proxy = JsonDocument.Parse("""{"DestinationServiceName":"api","Upstreams":[{"LocalBindPort":9191}]}""").RootElement,
    };

    [Theory]
    [InlineData("Service == web", true)]
    [InlineData("Service != web", false)]
    [InlineData("Port == 8080", true)]
    [InlineData("Port == \"0x1F90\"", true)]
    [InlineData("EnableTagOverride == true", true)]
    [InlineData("Weights.Passing == 1", true)]
    [InlineData("v1 in Tags", true)]
    [InlineData("v2 not in Tags", true)]
    [InlineData("Tags contains connect", true)]
    [InlineData("Tags not contains connect", false)]
    [InlineData("\"0.0\" in Address", true)]
    [InlineData("Address matches `^10\\.0\\.`", true)]
    [InlineData("Address not matches `^192\\.`", true)]
    [InlineData("Tags is empty", false)]
    [InlineData("Tags is not empty", true)]
    [InlineData("Meta.env == prod", true)]
    [InlineData("Meta[\"env\"] == prod", true)]
    [InlineData("env in Meta", true)]
    [InlineData("Meta.team == \"\"", true)]
    [InlineData("Meta.missing == x", false)]
    [InlineData("Meta.missing != x", true)]
    [InlineData("Meta.missing not matches x", true)]
    [InlineData("Meta.missing matches x", false)]
    [InlineData("TaggedAddresses.lan.Port == 8080", true)]
    [InlineData("Kind == \"\"", true)]
    [InlineData("Proxy.DestinationServiceName == api", true)]
    [InlineData("Proxy.Upstreams.LocalBindPort == 9191", true)]
    [InlineData("not Service == web or Port == 8080", true)]
    [InlineData("not (Service == web or Port == 8080)", false)]
    [InlineData("Service == web and (Port == 1 or v1 in Tags)", true)]
    public void Matches_AgentService_AsBexprDoes(string expression, bool expected)
    {
        ConsulFilter.Create(expression, ConsulJsonContext.Default.AgentService)!.Matches(Web, ConsulJsonContext.Default.AgentService).ShouldBe(expected);
    }

    [Fact]
    public void Matches_SelectorThroughAList_AnyElement()
    {
        var entry = new ServiceEntry
        {
            Checks = [new HealthCheck { CheckId = "a", Status = "passing" }, new HealthCheck { CheckId = "b", Status = "critical" }],
        };
        bool Keeps(string expression) => ConsulFilter.Create(expression, ConsulJsonContext.Default.ServiceEntry)!.Matches(entry, ConsulJsonContext.Default.ServiceEntry);

        Keeps("Checks.Status == passing").ShouldBeTrue();
        Keeps("Checks.Status == critical").ShouldBeTrue();
        Keeps("Checks.Status != passing").ShouldBeTrue("one check is not passing");
        Keeps("Checks.Status == warning").ShouldBeFalse();
        Keeps("Checks is not empty").ShouldBeTrue();
    }

    [Theory]
    [InlineData("Servce == web", "Selector \"Servce\" is not valid")]
    [InlineData("Meta.env.deeper == x", "Selector \"Meta.env.deeper\" is not valid")]
    [InlineData("CreateIndex == 1", "Selector \"CreateIndex\" is not valid")]
    [InlineData("Address is empty", "Invalid match operator \"Is Empty\" for selector \"Address\"")]
    [InlineData("Port matches 80", "Invalid match operator \"Matches\" for selector \"Port\"")]
    [InlineData("Tags == v1", "Invalid match operator \"Equal\" for selector \"Tags\"")]
    [InlineData("Port == abc", "Failed to coerce value \"abc\" for selector \"Port\": strconv.ParseInt: parsing \"abc\": invalid syntax")]
    [InlineData("EnableTagOverride == yes", "Failed to coerce value \"yes\" for selector \"EnableTagOverride\": strconv.ParseBool: parsing \"yes\": invalid syntax")]
    [InlineData("Service matches \"(\"", "Failed to compile regular expression \"(\": ")]
    public void Create_BadSelectorOperatorOrValue_ConsulsMessage(string expression, string message)
    {
        var error = Should.Throw<FilterException>(() => ConsulFilter.Create(expression, ConsulJsonContext.Default.AgentService)).Message;

        error.ShouldStartWith(ConsulFilter.CreateError + message);
    }

    [Fact] // Consul's agent/checks binds its filter to no type: selectors are checked on the first check only
    public void Create_CheckedOnFirstUse_BadSelectorFailsOnlyWhenAnElementIsTested()
    {
        var filter = ConsulFilter.Create("Nope == x", ConsulJsonContext.Default.HealthCheck, checkOnFirstUse: true);

        filter.Keep(Array.Empty<HealthCheck>(), ConsulJsonContext.Default.HealthCheck).ShouldBeEmpty();
        Should.Throw<FilterException>(() => filter.Keep([new HealthCheck()], ConsulJsonContext.Default.HealthCheck))
            .Message.ShouldBe("Selector \"Nope\" is not valid");
        Should.Throw<FilterException>(() => ConsulFilter.Create("Nope ==", ConsulJsonContext.Default.HealthCheck, checkOnFirstUse: true))
            .Message.ShouldStartWith(ConsulFilter.CreateError + "1:8 (7): no match found");
    }

    [Fact]
    public void Create_NoExpression_NoFilter_KeepsEverything()
    {
        var filter = ConsulFilter.Create("", ConsulJsonContext.Default.AgentService);

        filter.ShouldBeNull();
        filter.Keep([Web, Web], ConsulJsonContext.Default.AgentService).Count.ShouldBe(2);
    }

    [Fact]
    public void Parse_DeeplyNested_Linear()
    {
        var expression = string.Concat(Enumerable.Repeat("(", 200)) + "Service == web" + string.Concat(Enumerable.Repeat(")", 200));

        var started = DateTime.UtcNow;
        ConsulFilter.Create(expression, ConsulJsonContext.Default.AgentService)!.Matches(Web, ConsulJsonContext.Default.AgentService).ShouldBeTrue();
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }
}
