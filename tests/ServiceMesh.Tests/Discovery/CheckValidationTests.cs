using System.Net;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.CheckOutputTests;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery;

/// <summary>A check either validates (400 naming the field) or runs; one that cannot run is critical with the reason.</summary>
public sealed class CheckValidationTests
{
    [Theory]
    [InlineData("""{"Method":"GET X"}""", "Method 'GET X'")]
    [InlineData("""{"Method":" "}""", "Method ' '")]
    [InlineData("""{"Method":"GET\r\nX-Injected: 1"}""", "Method")]
    [InlineData("""{"Timeout":"1200h"}""", "Timeout '1200h' must be at most 5m")]
    [InlineData("""{"Interval":"1000h"}""", "Interval '1000h' must be at most 24h")]
    [InlineData("""{"FollowRedirects":true,"DisableRedirects":true}""", "FollowRedirects and DisableRedirects")]
    public async Task Register_UnrunnableHttpCheck_400NamingTheField(string overrides, string expected)
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        var check = Merge(new AgentServiceCheck { Http = "http://127.0.0.1:9/", Interval = "1s", Status = HealthStatuses.Passing }, overrides);

        var error = await Should.ThrowAsync<ConsulException>(() => consul.RegisterAsync(Service("never", 80, check: check), default));

        error.Status.ShouldBe(HttpStatusCode.BadRequest);
        error.Message.ShouldContain(expected);
        (await consul.CatalogServicesAsync(null, default)).Value.ShouldNotContainKey("never");
    }

    [Fact]
    public async Task Register_TtlBeyondBound_400NamingTheField()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        var error = await Should.ThrowAsync<ConsulException>(() => consul.RegisterAsync(Service("never", 80, check: new AgentServiceCheck { Ttl = "1200h" }), default));

        error.Message.ShouldContain("TTL '1200h' must be at most 24h");
    }

    [Fact]
    public async Task HttpCheck_EmptyMethodOnClosedPort_RunsAsGetAndTurnsCritical()
    {
        // The case: it answered 200 and stayed "passing" forever because the probe threw before it ran.
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        var closed = FreePort.Next();

        await consul.RegisterAsync(Service("closed", closed, check: new AgentServiceCheck
        {
            Http = $"http://127.0.0.1:{closed}/", Method = "", Interval = "100ms", Timeout = "5s", Status = HealthStatuses.Passing,
        }), default);

        var check = await EventuallyCheckAsync(consul, "closed", HealthStatuses.Critical, "connection refused → critical");
        check.Output.ShouldContain($"HTTP check http://127.0.0.1:{closed}/");
        check.Output.ShouldContain("refused", Case.Insensitive);
    }

    [Theory]
    [InlineData("GET X", "10s")]
    [InlineData("", "1200h")]
    public async Task RunAsync_CheckThatCannotRun_CriticalWithReason(string method, string timeout)
    {
        // Such a definition can only come from a log written by an earlier version (registration refuses it now); the
        // registry keeps it, and its probe reports why it cannot run instead of failing silently.
        GoDuration.TryParse(timeout, out var parsed).ShouldBeTrue();
        using var probes = new CheckProbes(AllowedNetworks.Default);
        var check = new CheckDefinition("c", "c", "http://127.0.0.1:9/", method, null, null, TimeSpan.FromSeconds(1), parsed, null, HealthStatuses.Passing, "");

        var (status, output) = await probes.RunAsync(check, default);

        status.ShouldBe(HealthStatuses.Critical);
        output.ShouldStartWith("HTTP check http://127.0.0.1:9/: ");
        output.Length.ShouldBeGreaterThan("HTTP check http://127.0.0.1:9/: ".Length);
    }

    private static AgentServiceCheck Merge(AgentServiceCheck check, string overrides)
    {
        var fields = System.Text.Json.JsonDocument.Parse(overrides).RootElement;
        foreach (var field in fields.EnumerateObject())
        {
            check = field.Name switch
            {
                "Method" => check with { Method = field.Value.GetString() },
                "Timeout" => check with { Timeout = field.Value.GetString() },
                "Interval" => check with { Interval = field.Value.GetString() },
                "FollowRedirects" => check with { FollowRedirects = field.Value.GetBoolean() },
                "DisableRedirects" => check with { DisableRedirects = field.Value.GetBoolean() },
                _ => throw new ArgumentException(field.Name),
            };
        }
        return check;
    }
}
