using System.Diagnostics;
using System.Net;
using System.Text;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery;

/// <summary>Our Consul client against the embedded Consul-compatible server, over real HTTP on loopback.</summary>
public sealed class EmbeddedRegistryTests
{
    [Fact]
    public async Task Register_TwoInstances_ListedByAgentCatalogAndHealth()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        await consul.RegisterAsync(Service("web", 9001, "web-1", tags: "blue"), default);
        await consul.RegisterAsync(Service("web", 9002, "web-2", tags: "green"), default);

        (await consul.AgentServicesAsync(default)).Keys.ShouldBe(["web-1", "web-2"], ignoreOrder: true);
        var catalog = await consul.CatalogServicesAsync(null, default);
        catalog.Value["web"].ShouldBe(["blue", "green"]);
        catalog.Index.ShouldBeGreaterThan(0UL);
        catalog.KnownLeader.ShouldBeTrue();
        var instances = await consul.CatalogServiceAsync("web", null, default);
        instances.Value.Select(i => i.ServicePort).ShouldBe([9001, 9002], ignoreOrder: true);
        (await consul.LeaderAsync(default)).ShouldNotBeEmpty();
    }

    [Fact]
    public async Task HealthService_PassingFilter_OnlyInstancesWhosePassingTtlChecksPass()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("api", 9001, "api-1", new AgentServiceCheck { CheckId = "api-1-ttl", Ttl = "1m" }), default);
        await consul.RegisterAsync(Service("api", 9002, "api-2", new AgentServiceCheck { CheckId = "api-2-ttl", Ttl = "1m" }), default);

        (await consul.HealthServiceAsync("api", passingOnly: true, null, default)).Value.ShouldBeEmpty("TTL checks start critical");
        (await consul.UpdateTtlAsync("api-1-ttl", HealthStatuses.Passing, "fine", default)).ShouldBeTrue();
        (await consul.UpdateTtlAsync("api-2-ttl", HealthStatuses.Warning, "slow", default)).ShouldBeTrue();

        var passing = (await consul.HealthServiceAsync("api", passingOnly: true, null, default)).Value;
        passing.Single().Service.Id.ShouldBe("api-1");
        var all = (await consul.HealthServiceAsync("api", passingOnly: false, null, default)).Value;
        all.Single(e => e.Service.Id == "api-2").Checks.Single().ShouldSatisfyAllConditions(
            c => c.Status.ShouldBe(HealthStatuses.Warning), c => c.Output.ShouldBe("slow"));
        (await consul.UpdateTtlAsync("no-such-check", HealthStatuses.Passing, null, default)).ShouldBeFalse();
    }

    [Fact]
    public async Task BlockingQuery_RegistrationDuringWait_ReturnsWithHigherIndexBeforeTheWaitEnds()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        var first = await consul.CatalogServicesAsync(null, default);

        var blocked = consul.CatalogServicesAsync(new QueryOptions(first.Index, TimeSpan.FromMinutes(5)), default);
        await Task.Delay(200);
        blocked.IsCompleted.ShouldBeFalse("nothing changed yet, so the query must still be waiting");
        await consul.RegisterAsync(Service("late", 9000), default);

        var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        woken.Index.ShouldBeGreaterThan(first.Index);
        woken.Value.ShouldContainKey("late");
    }

    [Fact]
    public async Task BlockingQuery_NoChange_ReturnsAfterWaitWithSameIndex()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        var first = await consul.HealthServiceAsync("quiet", false, null, default);

        var clock = Stopwatch.StartNew();
        var again = await consul.HealthServiceAsync("quiet", false, new QueryOptions(first.Index, TimeSpan.FromSeconds(1)), default);

        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900), "a blocking query waits when nothing changes");
        again.Index.ShouldBe(first.Index);
    }

    [Fact]
    public async Task Deregister_KnownAndUnknownIds_RemovesOnlyKnown()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("gone", 9000), default);

        (await consul.DeregisterAsync("gone", default)).ShouldBeTrue();
        (await consul.DeregisterAsync("gone", default)).ShouldBeFalse();
        (await consul.CatalogServicesAsync(null, default)).Value.ShouldNotContainKey("gone");
    }

    [Fact]
    public async Task Register_InvalidName_Consul400WithReason()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        var error = await Should.ThrowAsync<ConsulException>(() => consul.RegisterAsync(Service("not a name!", 1), default));

        error.Status.ShouldBe(HttpStatusCode.BadRequest);
        error.Message.ShouldContain("Name is required: letters, digits, '_', '.' and '-'");
    }

    [Theory]
    [InlineData("node_exporter")]
    [InlineData("web.v2")]
    [InlineData("Upper_Case")]
    public async Task Register_ConsulNamesThatAreNoDnsLabel_AcceptedForDiscovery(string name)
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        await consul.RegisterAsync(Service(name, 9100), default);

        (await consul.CatalogServiceAsync(name, null, default)).Value.Single().ServicePort.ShouldBe(9100);
    }

    [Fact]
    public async Task Kv_PutGetDelete_RoundTripsBytes()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        (await consul.KvPutAsync("mesh/config/a", Encoding.UTF8.GetBytes("value-1"), default)).ShouldBeTrue();
        Encoding.UTF8.GetString((await consul.KvGetAsync("mesh/config/a", default))!).ShouldBe("value-1");
        (await consul.KvDeleteAsync("mesh/config/a", default)).ShouldBeTrue();
        (await consul.KvGetAsync("mesh/config/a", default)).ShouldBeNull();
    }

    [Fact]
    public async Task Register_TokenConfigured_RefusedWithoutItAcceptedWithIt()
    {
        const string token = "discovery-test-token-0123456789";
        await using var host = await MeshTestHost.StartAsync(settings: s => s["SERVICE_MESH_API_TOKEN"] = token);

        var anonymous = await Should.ThrowAsync<ConsulException>(() => ConsulClientFor(host, token: "").RegisterAsync(Service("x", 1), default));
        anonymous.Status.ShouldBe(HttpStatusCode.Forbidden);
        await ConsulClientFor(host, token).RegisterAsync(Service("x", 1), default);
    }

    [Fact]
    public async Task EmbeddedPort_LucidRoutesExceptHealthAndMetrics_NotServedAndConsulRoutesNotOnApiPort()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consulPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}") };

        (await consulPort.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK, "the platform's scripts call :8500/health");
        (await consulPort.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK, "the platform's Prometheus job scrapes :8500/metrics");
        (await consulPort.GetAsync("/services")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await consulPort.GetAsync("/certificates")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await host.Client.GetAsync("/v1/catalog/services")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await consulPort.GetAsync("/v1/catalog/services")).Headers.GetValues("X-Consul-Index").Single().ShouldNotBeEmpty();
    }
}
