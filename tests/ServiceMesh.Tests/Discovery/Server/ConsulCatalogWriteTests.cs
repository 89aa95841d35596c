using System.Net;
using System.Text.Json;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;
using static ServiceMesh.Tests.Discovery.Server.ConsulHttp;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>
/// catalog/register and catalog/deregister, ported from Consul's api/catalog_test.go. Consul's test registers a node of
/// its own ("foobar"); the embedded agent is one node, so the same bodies name the agent's node.
/// </summary>
public sealed class ConsulCatalogWriteTests
{
    [Fact] // TestAPI_CatalogRegistration
    public async Task CatalogRegister_ServiceWithCheckOnTheAgentsNode_InCatalogNodeAndHealthNode()
    {
        await using var host = await MeshTestHost.StartAsync();
        var node = await NodeNameAsync(host);

        var registered = await PutAsync(host, "v1/catalog/register", Registration(node));
        var info = await GetJsonAsync(host, $"v1/catalog/node/{node}");
        var health = await GetJsonAsync(host, $"v1/health/node/{node}");

        registered.ShouldBe((HttpStatusCode.OK, "true"));
        var redis = info.GetProperty("Services").GetProperty("redis1");
        redis.GetProperty("Service").GetString().ShouldBe("redis");
        redis.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()).ShouldBe(["master", "v1"]);
        var check = health.EnumerateArray().Single(c => c.GetProperty("CheckID").GetString() == "service:redis1");
        (check.GetProperty("Status").GetString(), check.GetProperty("Notes").GetString(), check.GetProperty("ServiceID").GetString())
            .ShouldBe(("passing", "Script based health check", "redis1"));
        check.GetProperty("Name").GetString().ShouldBe("Redis health check");
    }

    [Fact] // TestAPI_CatalogDeregistration (the second half of TestCatalog_Registration): by service, by check, the node
    public async Task CatalogDeregister_ServiceThenCheckThenNode_EachGone()
    {
        await using var host = await MeshTestHost.StartAsync();
        var node = await NodeNameAsync(host);
        (await PutAsync(host, "v1/catalog/register", Registration(node))).Status.ShouldBe(HttpStatusCode.OK);
        (await PutAsync(host, "v1/catalog/register", $$$"""{"Node":"{{{node}}}","Address":"127.0.0.1","Check":{"CheckID":"node-probe","Name":"probe","Status":"warning"}}""")).Status.ShouldBe(HttpStatusCode.OK);
        await ConsulClientFor(host).RegisterAsync(Service("web", 8000, "web-1"), default);

        var byService = await PutAsync(host, "v1/catalog/deregister", $$"""{"Datacenter":"dc1","Node":"{{node}}","Address":"192.168.10.10","ServiceID":"redis1"}""");
        var afterService = await GetJsonAsync(host, $"v1/catalog/node/{node}");
        var byCheck = await PutAsync(host, "v1/catalog/deregister", $$"""{"Datacenter":"dc1","Node":"{{node}}","CheckID":"node-probe"}""");
        var afterCheck = await GetJsonAsync(host, $"v1/health/node/{node}");
        var byNode = await PutAsync(host, "v1/catalog/deregister", $$"""{"Datacenter":"dc1","Node":"{{node}}","Address":"192.168.10.10"}""");

        (byService, byCheck, byNode).ShouldBe(((HttpStatusCode.OK, "true"), (HttpStatusCode.OK, "true"), (HttpStatusCode.OK, "true")));
        afterService.GetProperty("Services").TryGetProperty("redis1", out _).ShouldBeFalse();
        afterCheck.EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()).ShouldBe(["serfHealth"], "the service's check went with it");
        (await GetJsonAsync(host, $"v1/catalog/node/{node}")).GetProperty("Services").EnumerateObject().Select(s => s.Name).ShouldBe(["consul"], "every service registered through the API is gone; the server's own stays");
        (await GetJsonAsync(host, $"v1/health/node/{node}")).GetArrayLength().ShouldBe(1, "the agent's own node stays, with serfHealth");
    }

    [Fact]
    public async Task CatalogRegister_AnotherNode_RefusedNamingConsulMode_DeregisterOfItIsANoOp()
    {
        await using var host = await MeshTestHost.StartAsync();

        var register = await PutAsync(host, "v1/catalog/register", Registration("foobar"));
        var deregister = await PutAsync(host, "v1/catalog/deregister", """{"Node":"foobar"}""");

        register.Status.ShouldBe(HttpStatusCode.BadRequest);
        register.Body.ShouldContain("foobar");
        register.Body.ShouldContain("DISCOVERY_MODE=consul");
        deregister.ShouldBe((HttpStatusCode.OK, "true"));
        (await GetJsonAsync(host, "v1/catalog/service/redis")).GetArrayLength().ShouldBe(0);
    }

    [Theory] // consul/catalog_endpoint.go: RPC errors, answered 500
    [InlineData("v1/catalog/register", """{"Node":"x"}""", "Must provide node and address")]
    [InlineData("v1/catalog/deregister", """{"ServiceID":"x"}""", "Must provide node")]
    public async Task CatalogWrite_MissingNode_ConsulsError(string path, string body, string reason)
    {
        await using var host = await MeshTestHost.StartAsync();

        (await PutAsync(host, path, body)).ShouldBe((HttpStatusCode.InternalServerError, reason));
    }

    [Fact] // TestAPI_CatalogEnableTagOverride
    public async Task CatalogRegister_EnableTagOverride_KeptInCatalogAnswers()
    {
        await using var host = await MeshTestHost.StartAsync();
        var node = await NodeNameAsync(host);

        await PutAsync(host, "v1/catalog/register",
            $$$"""{"Node":"{{{node}}}","Address":"192.168.10.10","Service":{"ID":"redis1","Service":"redis","Tags":["master","v1"],"Port":8000,"EnableTagOverride":true}}""");

        (await GetJsonAsync(host, $"v1/catalog/node/{node}")).GetProperty("Services").GetProperty("redis1").GetProperty("EnableTagOverride").GetBoolean().ShouldBeTrue();
        (await GetJsonAsync(host, "v1/catalog/service/redis"))[0].GetProperty("ServiceEnableTagOverride").GetBoolean().ShouldBeTrue();
    }

    // TestCatalog_Registration's body: the service redis1 and its passing check, with node meta (not kept for the agent's node).
    private static string Registration(string node) => $$$"""
        {"Datacenter":"dc1","Node":"{{{node}}}","Address":"192.168.10.10","NodeMeta":{"somekey":"somevalue"},
         "Service":{"ID":"redis1","Service":"redis","Tags":["master","v1"],"Port":8000},
         "Check":{"Node":"{{{node}}}","CheckID":"service:redis1","Name":"Redis health check","Notes":"Script based health check","Status":"passing","ServiceID":"redis1"}}
        """;
}
