using System.Net;
using System.Text.Json;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>
/// Scenarios ported from Consul's api/agent_test.go, catalog_test.go, health_test.go and status_test.go (named in each
/// test), run over real HTTP against the embedded agent; the assertions are theirs, plus the fields the clients read.
/// </summary>
public sealed class ConsulNodeApiTests
{
    [Fact] // TestAPI_AgentSelf
    public async Task AgentSelf_Always_NamesNodeDatacenterAndServerRole()
    {
        await using var host = await MeshTestHost.StartAsync();

        var self = await GetJsonAsync(host, "v1/agent/self");

        var config = self.GetProperty("Config");
        config.GetProperty("NodeName").GetString().ShouldNotBeNullOrEmpty();
        config.GetProperty("Datacenter").GetString().ShouldBe(host.Options.ConsulDatacenter);
        config.GetProperty("Server").GetBoolean().ShouldBeTrue();
        Guid.TryParse(config.GetProperty("NodeID").GetString(), out _).ShouldBeTrue();
        self.GetProperty("Member").GetProperty("Status").GetInt32().ShouldBe(1);
    }

    [Fact] // TestAPI_AgentMembers, TestAPI_StatusPeers, TestAPI_CatalogDatacenters
    public async Task MembersPeersDatacenters_OneNodeCluster_OneOfEach()
    {
        await using var host = await MeshTestHost.StartAsync();

        (await GetJsonAsync(host, "v1/agent/members")).GetArrayLength().ShouldBe(1);
        (await GetJsonAsync(host, "v1/status/peers"))[0].GetString().ShouldEndWith(":8300");
        (await GetJsonAsync(host, "v1/catalog/datacenters")).EnumerateArray().Select(d => d.GetString()).ShouldBe([host.Options.ConsulDatacenter]);
    }

    [Fact] // TestAPI_CatalogNodes
    public async Task CatalogNodes_OneNode_WithIdTaggedAddressesAndIndex()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        using var response = await http.GetAsync("v1/catalog/nodes");
        var nodes = await response.JsonAsync();

        nodes.GetArrayLength().ShouldBe(1);
        nodes[0].GetProperty("ID").GetString().ShouldNotBeNullOrEmpty();
        nodes[0].GetProperty("TaggedAddresses").GetProperty("wan").GetString().ShouldBe("127.0.0.1");
        ulong.Parse(response.Headers.GetValues("X-Consul-Index").Single()).ShouldBeGreaterThan(0UL);
    }

    [Fact] // TestAPI_CatalogNode
    public async Task CatalogNode_RegisteredService_ListedUnderTheNode_UnknownNodeIsNull()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("foo", 8000, "foo-1"), default);
        var nodeName = (await GetJsonAsync(host, "v1/agent/self")).GetProperty("Config").GetProperty("NodeName").GetString();

        var info = await GetJsonAsync(host, $"v1/catalog/node/{nodeName}");

        info.GetProperty("Node").GetProperty("Datacenter").GetString().ShouldBe(host.Options.ConsulDatacenter);
        info.GetProperty("Services").GetProperty("foo-1").GetProperty("Port").GetInt32().ShouldBe(8000);
        (await GetJsonAsync(host, "v1/catalog/node/no-such-node")).ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact] // TestAPI_HealthNode, TestAPI_HealthState
    public async Task HealthNodeAndState_NodeCheck_SerfHealthPassing()
    {
        await using var host = await MeshTestHost.StartAsync();
        var nodeName = (await GetJsonAsync(host, "v1/agent/self")).GetProperty("Config").GetProperty("NodeName").GetString();

        var checks = await GetJsonAsync(host, $"v1/health/node/{nodeName}");
        var any = await GetJsonAsync(host, "v1/health/state/any");

        checks.EnumerateArray().Single(c => c.GetProperty("CheckID").GetString() == "serfHealth").GetProperty("Status").GetString().ShouldBe("passing");
        any.GetArrayLength().ShouldBeGreaterThan(0);
        (await GetJsonAsync(host, "v1/health/node/no-such-node")).GetArrayLength().ShouldBe(0);
    }

    [Fact] // TestAPI_HealthChecks, TestAPI_AgentChecks
    public async Task HealthChecksAndAgentChecks_ServiceWithTtlCheck_ListedCriticalWithServiceFields()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("foo", 8000, "foo-1", new AgentServiceCheck { CheckId = "foo-ttl", Ttl = "15s" }, "bar"), default);

        var serviceChecks = await GetJsonAsync(host, "v1/health/checks/foo");
        var agentChecks = await GetJsonAsync(host, "v1/agent/checks");

        var check = serviceChecks.EnumerateArray().Single();
        check.GetProperty("CheckID").GetString().ShouldBe("foo-ttl");
        check.GetProperty("Status").GetString().ShouldBe("critical");
        check.GetProperty("ServiceTags").EnumerateArray().Select(t => t.GetString()).ShouldBe(["bar"]);
        agentChecks.GetProperty("foo-ttl").GetProperty("ServiceID").GetString().ShouldBe("foo-1");
    }

    [Fact] // TestAPI_HealthState (states), plus Consul's 400 for a state it does not know
    public async Task HealthState_ByState_OnlyChecksInThatState_UnknownStateIs400()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("foo", 8000, "foo-1", new AgentServiceCheck { CheckId = "foo-ttl", Ttl = "15s" }), default);
        await consul.RegisterAsync(Service("bar", 8001, "bar-1", new AgentServiceCheck { CheckId = "bar-ttl", Ttl = "15s" }), default);
        (await consul.UpdateTtlAsync("bar-ttl", HealthStatuses.Passing, null, default)).ShouldBeTrue();

        var critical = await GetJsonAsync(host, "v1/health/state/critical");
        var passing = await GetJsonAsync(host, "v1/health/state/passing");
        using var http = Http(host);
        using var unknown = await http.GetAsync("v1/health/state/sideways");

        critical.EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()).ShouldBe(["foo-ttl"]);
        passing.EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()).ShouldBe(["serfHealth", "bar-ttl"], ignoreOrder: true);
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("sideways");
    }

    [Fact]
    public async Task HealthState_BlockingQuery_WokenByACheckResult()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("foo", 8000, "foo-1", new AgentServiceCheck { CheckId = "foo-ttl", Ttl = "15s" }), default);
        using var http = Http(host);
        using var first = await http.GetAsync("v1/health/state/passing");
        var index = first.Headers.GetValues("X-Consul-Index").Single();

        var blocked = http.GetAsync($"v1/health/state/passing?index={index}&wait=30s");
        await Task.Delay(200);
        blocked.IsCompleted.ShouldBeFalse("nothing changed yet");
        (await consul.UpdateTtlAsync("foo-ttl", HealthStatuses.Passing, null, default)).ShouldBeTrue();
        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10));

        ulong.Parse(woken.Headers.GetValues("X-Consul-Index").Single()).ShouldBeGreaterThan(ulong.Parse(index));
        (await woken.JsonAsync()).EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()).ShouldContain("foo-ttl");
    }

    [Fact] // TestAPI_AgentService
    public async Task AgentService_ById_TheServiceOr404()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("foo", 8000, "foo-1", null, "bar"), default);
        using var http = Http(host);

        var service = await GetJsonAsync(host, "v1/agent/service/foo-1");
        using var unknown = await http.GetAsync("v1/agent/service/nope");

        service.GetProperty("Service").GetString().ShouldBe("foo");
        service.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()).ShouldBe(["bar"]);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact] // TestAPI_CatalogService_MultipleTags / TestAPI_HealthService_MultipleTags
    public async Task CatalogAndHealthService_TwoTagParameters_OnlyInstancesWithBoth()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("foo", 8000, "foo-1", null, "tag1", "tag2"), default);
        await consul.RegisterAsync(Service("foo", 8001, "foo-2", null, "tag1", "tag3"), default);

        var catalog = await GetJsonAsync(host, "v1/catalog/service/foo?tag=tag1&tag=tag2");
        var health = await GetJsonAsync(host, "v1/health/service/foo?tag=tag1&tag=tag3");
        var one = await GetJsonAsync(host, "v1/catalog/service/foo?tag=tag1");

        catalog.EnumerateArray().Select(n => n.GetProperty("ServiceID").GetString()).ShouldBe(["foo-1"]);
        health.EnumerateArray().Select(e => e.GetProperty("Service").GetProperty("ID").GetString()).ShouldBe(["foo-2"]);
        one.GetArrayLength().ShouldBe(2);
    }

    [Fact] // TestAPI_AgentServices (EnableTagOverride, Weights, TaggedAddresses), TestAPI_AgentServices_SidecarService (Kind, Proxy, Connect)
    public async Task Register_ConsulOnlyFields_KeptInAgentCatalogAndHealthAnswers()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        const string body = """
            {"ID":"web-proxy","Name":"web-sidecar-proxy","Port":21000,"Kind":"connect-proxy","EnableTagOverride":true,
             "Weights":{"Passing":10,"Warning":2},"TaggedAddresses":{"lan":{"Address":"127.0.0.1","Port":21000}},
             "Proxy":{"DestinationServiceName":"web","Upstreams":[{"DestinationName":"db","LocalBindPort":9191}]},
             "Connect":{"Native":false}}
            """;

        using var registered = await http.PutAsync("v1/agent/service/register", new StringContent(body));
        using var badWeights = await http.PutAsync("v1/agent/service/register", new StringContent("""{"Name":"w","Weights":{"Passing":0,"Warning":1}}"""));
        var agent = (await GetJsonAsync(host, "v1/agent/services")).GetProperty("web-proxy");
        var catalog = (await GetJsonAsync(host, "v1/catalog/service/web-sidecar-proxy"))[0];
        var entry = (await GetJsonAsync(host, "v1/health/service/web-sidecar-proxy"))[0];

        registered.StatusCode.ShouldBe(HttpStatusCode.OK);
        badWeights.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        agent.GetProperty("Kind").GetString().ShouldBe("connect-proxy");
        agent.GetProperty("EnableTagOverride").GetBoolean().ShouldBeTrue();
        agent.GetProperty("Weights").GetProperty("Passing").GetInt32().ShouldBe(10);
        agent.GetProperty("TaggedAddresses").GetProperty("lan").GetProperty("Port").GetInt32().ShouldBe(21000);
        agent.GetProperty("Proxy").GetProperty("Upstreams")[0].GetProperty("LocalBindPort").GetInt32().ShouldBe(9191);
        catalog.GetProperty("ServiceKind").GetString().ShouldBe("connect-proxy");
        catalog.GetProperty("ServiceWeights").GetProperty("Warning").GetInt32().ShouldBe(2);
        catalog.GetProperty("ServiceProxy").GetProperty("DestinationServiceName").GetString().ShouldBe("web");
        entry.GetProperty("Node").GetProperty("ID").GetString().ShouldNotBeNullOrEmpty();
        entry.GetProperty("Node").GetProperty("TaggedAddresses").GetProperty("lan").GetString().ShouldBe("127.0.0.1");
        entry.GetProperty("Service").GetProperty("Connect").GetProperty("Native").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Register_TypicalService_DefaultWeightsAndNoKind()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("foo", 8000, "foo-1"), default);

        var agent = await GetJsonAsync(host, "v1/agent/service/foo-1");

        agent.GetProperty("Weights").GetProperty("Passing").GetInt32().ShouldBe(1);
        agent.GetProperty("Weights").GetProperty("Warning").GetInt32().ShouldBe(1);
        agent.GetProperty("EnableTagOverride").GetBoolean().ShouldBeFalse();
        agent.TryGetProperty("Kind", out _).ShouldBeFalse();
    }

    [Theory] // agent/http.go parseWait and parseConsistency
    [InlineData("v1/catalog/services?index=5&wait=2", "Invalid wait time")]
    [InlineData("v1/catalog/services?index=abc", "Invalid index")]
    [InlineData("v1/health/service/foo?index=-1", "Invalid index")]
    [InlineData("v1/kv/a?stale&consistent", "Cannot specify ?stale with ?consistent, conflicting semantics.")]
    public async Task QueryOptions_Malformed_400WithConsulsReason(string path, string reason)
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        using var response = await http.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldBe(reason);
    }

    [Fact]
    public async Task QueryOptions_StaleAndCached_AcceptedWithConsulsHeaders()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        using var stale = await http.GetAsync("v1/catalog/services?stale");
        using var cached = await http.GetAsync("v1/health/service/foo?cached");
        using var unitless = await http.GetAsync("v1/catalog/services?index=0&wait=0");

        stale.StatusCode.ShouldBe(HttpStatusCode.OK);
        stale.Headers.GetValues("X-Consul-KnownLeader").Single().ShouldBe("true");
        stale.Headers.GetValues("X-Consul-LastContact").Single().ShouldBe("0");
        cached.Headers.GetValues("X-Cache").Single().ShouldBe("MISS");
        unitless.StatusCode.ShouldBe(HttpStatusCode.OK, "Go's time.ParseDuration accepts a bare 0");
    }

    [Fact] // TestAPI_CatalogServices: a server's catalog always holds "consul"
    public async Task CatalogServices_ServerItself_ConsulOnPort8300InCatalogAndHealthButNotAnAgentService()
    {
        await using var host = await MeshTestHost.StartAsync();

        var services = await GetJsonAsync(host, "v1/catalog/services");
        var server = (await GetJsonAsync(host, "v1/catalog/service/consul")).EnumerateArray().Single();
        var health = (await GetJsonAsync(host, "v1/health/service/consul?passing")).EnumerateArray().Single();
        var agent = await GetJsonAsync(host, "v1/agent/services");

        services.GetProperty("consul").GetArrayLength().ShouldBe(0);
        server.GetProperty("ServiceID").GetString().ShouldBe("consul");
        server.GetProperty("ServicePort").GetInt32().ShouldBe(8300);
        health.GetProperty("Service").GetProperty("Service").GetString().ShouldBe("consul");
        agent.TryGetProperty("consul", out _).ShouldBeFalse("the leader registers it in the catalog, not the agent");
    }

    private static HttpClient Http(MeshTestHost host) => ConsulHttp.For(host);

    private static Task<JsonElement> GetJsonAsync(MeshTestHost host, string path) => ConsulHttp.GetJsonAsync(host, path);
}
