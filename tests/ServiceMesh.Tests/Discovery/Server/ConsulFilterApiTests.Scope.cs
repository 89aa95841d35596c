using System.Net;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>Bad expressions, filters on blocking queries, ?node-meta= and ?dc=.</summary>
public sealed partial class ConsulFilterApiTests
{
    [Fact] // consul#7338 and #9441: the messages real agents gave, as a 500 (Consul returns bexpr's error as it is)
    public async Task BadExpression_Unparsable_500WithConsulsMessage()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        using var bare = await http.GetAsync("v1/agent/services?filter=foo");
        using var address = await http.GetAsync("v1/catalog/nodes?filter=" + Uri.EscapeDataString("Address == 10.10.10.10 "));

        bare.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await bare.Content.ReadAsStringAsync()).ShouldBe(
            "Failed to create boolean expression evaluator: 1:4 (3): no match found, expected: \"!=\", \".\", \"==\", \"[\", [ \\t\\r\\n] or [a-zA-Z0-9_]");
        address.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await address.Content.ReadAsStringAsync()).ShouldBe("Failed to create boolean expression evaluator: 1:17 (16): rule \"number\": Invalid number literal");
    }

    [Fact]
    public async Task BadExpression_UnknownSelector_500BeforeAnyBlocking_AgentChecksOnlyWithAChecks()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        using var blocking = await http.GetAsync("v1/health/service/redis?index=1000&wait=30s&filter=" + Uri.EscapeDataString("Service.Nope == x"))
            .WaitAsync(TimeSpan.FromSeconds(10));
        var noChecks = await GetJsonAsync(http, "v1/agent/checks?filter=" + Uri.EscapeDataString("Nope == x"));
        await RegisterAsync(http, """{"Name":"svc","Check":{"CheckID":"c1","TTL":"15s"}}""");
        using var withCheck = await http.GetAsync("v1/agent/checks?filter=" + Uri.EscapeDataString("Nope == x"));

        blocking.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await blocking.Content.ReadAsStringAsync()).ShouldBe("Failed to create boolean expression evaluator: Selector \"Service.Nope\" is not valid");
        noChecks.EnumerateObject().ShouldBeEmpty();
        withCheck.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await withCheck.Content.ReadAsStringAsync()).ShouldBe("Selector \"Nope\" is not valid");
    }

    [Fact]
    public async Task Filter_OnABlockingQuery_StillBlocks_WokenWithTheIndexAndFilteredBody()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await RegisterAsync(http, """{"ID":"redisV1","Name":"redis","Tags":["v1"],"Port":1234}""");
        var filter = Uri.EscapeDataString("v2 in ServiceTags");
        using var first = await http.GetAsync($"v1/catalog/service/redis?filter={filter}");
        var index = first.Headers.GetValues("X-Consul-Index").Single();

        var blocked = http.GetAsync($"v1/catalog/service/redis?filter={filter}&index={index}&wait=30s");
        await Task.Delay(200);
        blocked.IsCompleted.ShouldBeFalse("nothing changed yet");
        await RegisterAsync(http, """{"ID":"redisV2","Name":"redis","Tags":["v2"],"Port":1235}""");
        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10));

        (await first.JsonAsync()).GetArrayLength().ShouldBe(0);
        ulong.Parse(woken.Headers.GetValues("X-Consul-Index").Single()).ShouldBeGreaterThan(ulong.Parse(index));
        (await woken.JsonAsync()).EnumerateArray().Select(s => s.GetProperty("ServiceID").GetString()).ShouldBe(["redisV2"]);
    }

    [Fact] // TestAPI_CatalogNodes_MetaFilter, TestAPI_CatalogServices_NodeMetaFilter, TestAPI_CatalogService_NodeMetaFilter,
    // TestAPI_HealthService_NodeMetaFilter, TestAPI_HealthChecks_NodeMetaFilter, TestAPI_HealthState_NodeMetaFilter
    public async Task NodeMeta_TheNodesPairMatches_AnotherPairEmptiesEveryList()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await RegisterAsync(http, """{"ID":"foo1","Name":"foo","Port":8000,"Check":{"CheckID":"foo-ttl","TTL":"15s"}}""");
        const string ours = "node-meta=consul-network-segment:";
        const string other = "node-meta=somekey:somevalue";

        var nodes = await GetJsonAsync(http, $"v1/catalog/nodes?{ours}");
        using var none = await http.GetAsync($"v1/catalog/nodes?{other}");

        nodes.GetArrayLength().ShouldBe(1);
        nodes[0].GetProperty("Meta").GetProperty("consul-network-segment").GetString().ShouldBe("");
        (await none.JsonAsync()).GetArrayLength().ShouldBe(0);
        ulong.Parse(none.Headers.GetValues("X-Consul-Index").Single()).ShouldBeGreaterThan(0UL);
        (await GetJsonAsync(http, $"v1/catalog/services?{ours}")).GetProperty("foo").GetArrayLength().ShouldBe(0);
        (await GetJsonAsync(http, $"v1/catalog/services?{other}")).EnumerateObject().ShouldBeEmpty();
        (await GetJsonAsync(http, $"v1/catalog/service/foo?{ours}")).GetArrayLength().ShouldBe(1);
        (await GetJsonAsync(http, $"v1/catalog/service/foo?{other}")).GetArrayLength().ShouldBe(0);
        (await GetJsonAsync(http, $"v1/health/service/foo?{ours}")).GetArrayLength().ShouldBe(1);
        (await GetJsonAsync(http, $"v1/health/service/foo?{ours}&{other}")).GetArrayLength().ShouldBe(0, "every pair must match");
        (await GetJsonAsync(http, $"v1/health/checks/foo?{ours}"))[0].GetProperty("Type").GetString().ShouldBe("ttl");
        (await GetJsonAsync(http, $"v1/health/checks/foo?{other}")).GetArrayLength().ShouldBe(0);
        (await GetJsonAsync(http, $"v1/health/state/any?{ours}")).GetArrayLength().ShouldBe(2);
        (await GetJsonAsync(http, $"v1/health/state/any?{other}")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Datacenter_Ours_Served_Another_NoPathToDatacenter_AgentRoutesIgnoreIt()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        var dc = host.Options.ConsulDatacenter;

        (await GetJsonAsync(http, $"v1/catalog/services?dc={dc}")).ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Object);
        foreach (var path in new[] { "v1/catalog/services", "v1/catalog/nodes", "v1/health/state/any", "v1/kv/some/key", "v1/status/leader" })
        {
            using var response = await http.GetAsync($"{path}?dc=elsewhere");
            response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError, path);
            (await response.Content.ReadAsStringAsync()).ShouldBe("No path to datacenter", customMessage: path);
        }
        using var put = await http.PutAsync("v1/kv/some/key?dc=elsewhere", new StringContent("v"));
        put.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await GetJsonAsync(http, "v1/agent/services?dc=elsewhere")).ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Object);
        (await GetJsonAsync(http, "v1/catalog/datacenters?dc=elsewhere")).GetArrayLength().ShouldBe(1);
        using var missing = await http.GetAsync("v1/kv/some/key");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound, "the put to another datacenter wrote nothing here");
    }
}
