using System.Net;
using System.Text;
using System.Text.Json;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>
/// Consul's ?filter= scenarios from api/agent_test.go, catalog_test.go and health_test.go (named in each test), over real
/// HTTP. Consul's fixture (testNodeServiceCheckRegistrations) spreads these services over nodes foo, bar and baz; the
/// embedded agent is one node, so every service lives on it and the node-level counts are this node's.
/// </summary>
public sealed partial class ConsulFilterApiTests
{
    [Fact] // TestAPI_AgentServicesWithFilter
    public async Task AgentServices_TagFilter_OnlyTheMatchingService()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await RegisterAsync(http, """{"Name":"foo","ID":"foo","Tags":["bar","baz"],"Port":8000,"Check":{"TTL":"15s"}}""");
        await RegisterAsync(http, """{"Name":"foo","ID":"foo2","Tags":["foo","baz"],"Port":8001,"Check":{"TTL":"15s"}}""");

        var services = await GetJsonAsync(http, "v1/agent/services?filter=" + Uri.EscapeDataString("foo in Tags"));

        services.EnumerateObject().Select(s => s.Name).ShouldBe(["foo2"]);
    }

    [Fact] // TestAPI_AgentChecksWithFilter (its checks registered with services: agent/check/register is not served yet)
    public async Task AgentChecks_NameFilter_OnlyTheMatchingCheck()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await RegisterAsync(http, """{"Name":"svc-a","Check":{"CheckID":"foo","Name":"foo","TTL":"15s"}}""");
        await RegisterAsync(http, """{"Name":"svc-b","Check":{"CheckID":"bar","Name":"bar","TTL":"15s"}}""");

        var checks = await GetJsonAsync(http, "v1/agent/checks?filter=" + Uri.EscapeDataString("Name == foo"));

        checks.EnumerateObject().Select(c => c.Name).ShouldBe(["foo"]);
    }

    [Fact] // TestAPI_CatalogNodes_Filter
    public async Task CatalogNodes_Filter_NodeNameMetaAndAddress()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        var node = await NodeNameAsync(http);

        (await GetJsonAsync(http, "v1/catalog/nodes")).GetArrayLength().ShouldBe(1);
        (await FilteredAsync(http, "v1/catalog/nodes", "Meta.env == production")).GetArrayLength().ShouldBe(0, "this node has no env meta");
        (await FilteredAsync(http, "v1/catalog/nodes", $"Node == \"{node}\" or Node == baz")).GetArrayLength().ShouldBe(1);
        (await FilteredEmptyAsync(http, "v1/catalog/nodes", "Address == `10.0.0.1`")).ShouldBeTrue();
    }

    [Fact] // TestAPI_CatalogService_Filter
    public async Task CatalogService_Filter_ServiceMetaNodeMetaAndAddress()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await RegisterFixturesAsync(http);

        var v1 = await FilteredAsync(http, "v1/catalog/service/redis", "ServiceMeta.version == 1");
        var notWindows = await FilteredAsync(http, "v1/catalog/service/redis", "NodeMeta.os != windows");

        v1.EnumerateArray().Select(s => s.GetProperty("ServiceID").GetString()).ShouldBe(["redisV1"]);
        notWindows.GetArrayLength().ShouldBe(2, "a node without an os key is not windows");
        (await FilteredEmptyAsync(http, "v1/catalog/service/redis", "Address == `10.0.0.1`")).ShouldBeTrue();
    }

    [Fact] // TestAPI_CatalogNode_Filter
    public async Task CatalogNode_Filter_AppliesToTheNodesServices()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await RegisterFixturesAsync(http);
        var node = await NodeNameAsync(http);

        var info = await FilteredAsync(http, $"v1/catalog/node/{node}", "connect in Tags");

        info.GetProperty("Services").EnumerateObject().Select(s => s.Name).ShouldBe(["webV1", "webV2"], ignoreOrder: true);
        info.GetProperty("Services").GetProperty("webV1").GetProperty("Service").GetString().ShouldBe("web");
    }

    [Fact] // TestAPI_HealthService_Filter
    public async Task HealthService_Filter_ServiceMetaNodeAndChecks()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await RegisterFixturesAsync(http);
        var node = await NodeNameAsync(http);

        (await FilteredAsync(http, "v1/health/service/redis", "Service.Meta.version == 2")).GetArrayLength().ShouldBe(1);
        (await FilteredAsync(http, "v1/health/service/web", "Node.Meta.os == linux")).GetArrayLength().ShouldBe(0, "this node has no os meta");
        var web = await FilteredAsync(http, "v1/health/service/web", $"Node.Node == \"{node}\" and Service.Meta.version == 1");
        var critical = await FilteredAsync(http, "v1/health/service/critical", "Checks.Status == critical");

        web.EnumerateArray().Select(e => e.GetProperty("Service").GetProperty("ID").GetString()).ShouldBe(["webV1"]);
        critical.GetArrayLength().ShouldBe(1);
        (await FilteredAsync(http, "v1/health/service/web", "Checks.Status != passing")).GetArrayLength().ShouldBe(0);
    }

    [Fact] // TestAPI_HealthChecks_Filter
    public async Task HealthChecks_Filter_NodeAndServiceTags()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await RegisterFixturesAsync(http);
        var node = await NodeNameAsync(http);

        (await FilteredAsync(http, "v1/health/checks/redis", $"Node == \"{node}\"")).GetArrayLength().ShouldBe(2, "1 service check for each instance");
        (await FilteredAsync(http, "v1/health/checks/redis", "Node == bar")).GetArrayLength().ShouldBe(0);
        var v1 = await FilteredAsync(http, "v1/health/checks/redis", $"Node == \"{node}\" and v1 in ServiceTags");

        v1.EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()).ShouldBe(["foo:redisV1"]);
    }

    [Fact] // TestAPI_HealthNode_Filter
    public async Task HealthNode_Filter_ServiceChecksOrNodeChecks()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await RegisterFixturesAsync(http);
        var node = await NodeNameAsync(http);

        (await FilteredAsync(http, $"v1/health/node/{node}", "ServiceName == redis")).GetArrayLength().ShouldBe(2);
        var nodeChecks = await FilteredAsync(http, $"v1/health/node/{node}", "ServiceID == ``");

        nodeChecks.EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()).ShouldBe(["serfHealth"]);
    }

    [Fact] // TestAPI_HealthState_Filter
    public async Task HealthState_Filter_NodeAndStatus()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await RegisterFixturesAsync(http);
        var node = await NodeNameAsync(http);

        (await FilteredAsync(http, "v1/health/state/any", $"Node == \"{node}\"")).GetArrayLength().ShouldBe(7, "serfHealth and six service checks");
        (await FilteredAsync(http, "v1/health/state/any", "Status == warning or Status == critical")).GetArrayLength().ShouldBe(2);
        (await FilteredAsync(http, "v1/health/state/critical", $"Node == \"{node}\"")).GetArrayLength().ShouldBe(1);
        (await FilteredAsync(http, "v1/health/state/warning", $"Node == \"{node}\"")).GetArrayLength().ShouldBe(1);
    }

    // Consul's fixture services, each with its check in the state the fixture gives it.
    private static async Task RegisterFixturesAsync(HttpClient http)
    {
        foreach (var (id, name, tags, version, port, address, checkId, status) in new[]
        {
            ("redisV1", "redis", "\"v1\"", "1", 1234, "198.18.1.2", "foo:redisV1", "passing"),
            ("redisV2", "redis", "\"v2\"", "2", 1235, "198.18.1.2", "foo:redisV2", "passing"),
            ("webV1", "web", "\"v1\",\"connect\"", "1", 443, "198.18.1.4", "baz:web:v1", "passing"),
            ("webV2", "web", "\"v2\",\"connect\"", "2", 8443, "198.18.1.4", "baz:web:v2", "passing"),
            ("criticalV2", "critical", "\"v2\"", "2", 8080, "198.18.1.4", "baz:critical:v2", "critical"),
            ("warningV2", "warning", "\"v2\"", "2", 8081, "198.18.1.4", "baz:warning:v2", "warning"),
        })
        {
            await RegisterAsync(http, $$$"""
                {"ID":"{{{id}}}","Name":"{{{name}}}","Tags":[{{{tags}}}],"Meta":{"version":"{{{version}}}"},"Port":{{{port}}},"Address":"{{{address}}}",
                 "Check":{"CheckID":"{{{checkId}}}","Name":"{{{name}}}-liveness","TTL":"15m","Status":"{{{status}}}","Notes":"{{{name}}} is {{{status}}}"}}
                """);
        }
    }

    private static async Task RegisterAsync(HttpClient http, string body)
    {
        using var response = await http.PutAsync("v1/agent/service/register", new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> NodeNameAsync(HttpClient http) =>
        (await GetJsonAsync(http, "v1/agent/self")).GetProperty("Config").GetProperty("NodeName").GetString()!;

    private static Task<JsonElement> FilteredAsync(HttpClient http, string path, string filter) =>
        GetJsonAsync(http, $"{path}?filter={Uri.EscapeDataString(filter)}");

    private static async Task<bool> FilteredEmptyAsync(HttpClient http, string path, string filter) =>
        (await FilteredAsync(http, path, filter)).GetArrayLength() == 0;

    private static HttpClient Http(MeshTestHost host) => new() { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}/") };

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET {path}: {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }
}
