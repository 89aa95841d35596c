using System.Net;
using System.Text.Json;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;
using static ServiceMesh.Tests.Discovery.Server.ConsulHttp;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>Service and node maintenance (agent_endpoint.go, agent.go), with the scenarios of Consul's api/agent_test.go.</summary>
public sealed class ConsulMaintenanceApiTests
{
    [Fact] // TestAPI_AgentServiceMaintenance (TestAPI_ServiceMaintenanceOpts)
    public async Task ServiceMaintenance_EnableThenDisable_CriticalCheckWithReasonThenGone()
    {
        await using var host = await MeshTestHost.StartAsync();
        (await PutAsync(host, "v1/agent/service/register", """{"Name":"redis"}""")).Status.ShouldBe(HttpStatusCode.OK);

        (await PutAsync(host, "v1/agent/service/maintenance/redis?enable=true&reason=broken")).Status.ShouldBe(HttpStatusCode.OK);
        var maintenance = MaintenanceChecks(await GetJsonAsync(host, "v1/agent/checks")).Single();
        var passing = await GetJsonAsync(host, "v1/health/service/redis?passing");
        (await PutAsync(host, "v1/agent/service/maintenance/redis?enable=false")).Status.ShouldBe(HttpStatusCode.OK);

        maintenance.GetProperty("CheckID").GetString().ShouldBe("_service_maintenance:redis");
        maintenance.GetProperty("Name").GetString().ShouldBe("Service Maintenance Mode");
        maintenance.GetProperty("Status").GetString().ShouldBe("critical");
        maintenance.GetProperty("Notes").GetString().ShouldBe("broken");
        maintenance.GetProperty("ServiceID").GetString().ShouldBe("redis");
        maintenance.GetProperty("Type").GetString().ShouldBe("maintenance");
        passing.GetArrayLength().ShouldBe(0, "a service in maintenance is not passing");
        MaintenanceChecks(await GetJsonAsync(host, "v1/agent/checks")).ShouldBeEmpty();
        (await GetJsonAsync(host, "v1/health/service/redis?passing")).GetArrayLength().ShouldBe(1);
    }

    [Fact] // TestAgent_ServiceMaintenanceMode: no reason gives Consul's default notes; enabling twice keeps the first
    public async Task ServiceMaintenance_NoReasonThenAgain_DefaultNotesKept()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("redis", 6379, "redis"), default);

        await PutAsync(host, "v1/agent/service/maintenance/redis?enable=true");
        await PutAsync(host, "v1/agent/service/maintenance/redis?enable=true&reason=later");

        MaintenanceChecks(await GetJsonAsync(host, "v1/agent/checks")).Single().GetProperty("Notes").GetString()
            .ShouldBe("Maintenance mode is enabled for this service, but no reason was provided. This is a default message.");
    }

    [Theory] // agent_endpoint.go AgentServiceMaintenance's refusals
    [InlineData("v1/agent/service/maintenance/redis", HttpStatusCode.BadRequest, "Missing value for enable")]
    [InlineData("v1/agent/service/maintenance/redis?enable=maybe", HttpStatusCode.BadRequest, "Invalid value for enable: \"maybe\"")]
    [InlineData("v1/agent/service/maintenance/ghost?enable=true", HttpStatusCode.NotFound, "No service registered with ID \"ghost\"")]
    [InlineData("v1/agent/service/maintenance/ghost?enable=false", HttpStatusCode.NotFound, "No service registered with ID \"ghost\"")]
    [InlineData("v1/agent/maintenance", HttpStatusCode.BadRequest, "Missing value for enable")]
    public async Task Maintenance_BadRequest_ConsulsStatusAndReason(string path, HttpStatusCode status, string reason)
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("redis", 6379, "redis"), default);

        (await PutAsync(host, path)).ShouldBe((status, reason));
    }

    [Fact] // TestAPI_NodeMaintenance
    public async Task NodeMaintenance_EnableThenDisable_EveryServiceCriticalThenBack()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("web", 8000, "web-1"), default);
        var node = await NodeNameAsync(host);

        (await PutAsync(host, "v1/agent/maintenance?enable=true&reason=broken")).Status.ShouldBe(HttpStatusCode.OK);
        var maintenance = MaintenanceChecks(await GetJsonAsync(host, "v1/agent/checks")).Single();
        var web = await GetJsonAsync(host, "v1/health/service/web?passing");
        var nodeChecks = await GetJsonAsync(host, $"v1/health/node/{node}");
        (await PutAsync(host, "v1/agent/maintenance?enable=false")).Status.ShouldBe(HttpStatusCode.OK);

        maintenance.GetProperty("CheckID").GetString().ShouldBe("_node_maintenance");
        maintenance.GetProperty("Name").GetString().ShouldBe("Node Maintenance Mode");
        (maintenance.GetProperty("Status").GetString(), maintenance.GetProperty("Notes").GetString()).ShouldBe(("critical", "broken"));
        maintenance.GetProperty("ServiceID").GetString().ShouldBe("");
        web.GetArrayLength().ShouldBe(0, "node maintenance takes every service on the node out");
        nodeChecks.EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()).ShouldContain("_node_maintenance");
        MaintenanceChecks(await GetJsonAsync(host, "v1/agent/checks")).ShouldBeEmpty();
        (await GetJsonAsync(host, "v1/health/service/web?passing")).GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task NodeMaintenance_BlockingHealthQuery_WokenAtOnce()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("web", 8000, "web-1"), default);
        using var http = For(host);
        using var first = await http.GetAsync("v1/health/service/web");
        var index = first.Headers.GetValues("X-Consul-Index").Single();

        var blocked = http.GetAsync($"v1/health/service/web?index={index}&wait=30s");
        await PutAsync(host, "v1/agent/maintenance?enable=true");
        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10));

        ulong.Parse(woken.Headers.GetValues("X-Consul-Index").Single()).ShouldBeGreaterThan(ulong.Parse(index));
        (await woken.JsonAsync())[0].GetProperty("Checks")[0].GetProperty("Notes").GetString()
            .ShouldBe("Maintenance mode is enabled for this node, but no reason was provided. This is a default message.");
    }

    // As Consul's tests find them: by "maintenance" in the check ID.
    private static List<JsonElement> MaintenanceChecks(JsonElement checks) =>
        [.. checks.EnumerateObject().Where(c => c.Name.Contains("maintenance", StringComparison.Ordinal)).Select(c => c.Value)];
}
