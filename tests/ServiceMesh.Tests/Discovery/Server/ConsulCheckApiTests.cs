using System.Net;
using System.Text.Json;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;
using static ServiceMesh.Tests.Discovery.Server.ConsulHttp;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>agent/check/register|deregister|update over HTTP, with bodies and assertions from Consul's api/agent_test.go.</summary>
public sealed class ConsulCheckApiTests
{
    [Fact] // TestAPI_AgentChecks
    public async Task CheckRegister_TtlCheckWithName_ListedCriticalAsTtlThenDeregistered()
    {
        await using var host = await MeshTestHost.StartAsync();

        (await PutAsync(host, "v1/agent/check/register", """{"Name":"foo","TTL":"15s"}""")).Status.ShouldBe(HttpStatusCode.OK);
        var check = (await GetJsonAsync(host, "v1/agent/checks")).GetProperty("foo");
        var deregistered = await PutAsync(host, "v1/agent/check/deregister/foo");

        check.GetProperty("Status").GetString().ShouldBe("critical");
        check.GetProperty("Type").GetString().ShouldBe("ttl");
        check.GetProperty("ServiceID").GetString().ShouldBe("");
        deregistered.Status.ShouldBe(HttpStatusCode.OK);
        (await GetJsonAsync(host, "v1/agent/checks")).TryGetProperty("foo", out _).ShouldBeFalse();
    }

    [Fact] // TestAPI_AgentCheckStartPassing
    public async Task CheckRegister_StatusPassing_StartsPassing()
    {
        await using var host = await MeshTestHost.StartAsync();

        (await PutAsync(host, "v1/agent/check/register", """{"Name":"foo","TTL":"15s","Status":"passing"}""")).Status.ShouldBe(HttpStatusCode.OK);

        (await GetJsonAsync(host, "v1/agent/checks")).GetProperty("foo").GetProperty("Status").GetString().ShouldBe("passing");
    }

    [Fact] // TestAPI_AgentChecks_serviceBound, plus agent_endpoint.go's answer for a ServiceID nobody registered
    public async Task CheckRegister_BoundToService_AttachedBadDurationAndUnknownServiceRefused()
    {
        await using var host = await MeshTestHost.StartAsync();
        (await PutAsync(host, "v1/agent/service/register", """{"Name":"redis"}""")).Status.ShouldBe(HttpStatusCode.OK);

        var nope = await PutAsync(host, "v1/agent/check/register", """{"Name":"redischeck","ServiceID":"redis","TTL":"15s","DeregisterCriticalServiceAfter":"nope"}""");
        var bound = await PutAsync(host, "v1/agent/check/register", """{"Name":"redischeck","ServiceID":"redis","TTL":"15s","DeregisterCriticalServiceAfter":"90m"}""");
        var orphan = await PutAsync(host, "v1/agent/check/register", """{"Name":"orphan","ServiceID":"ghost","TTL":"15s"}""");
        var check = (await GetJsonAsync(host, "v1/agent/checks")).GetProperty("redischeck");

        (nope.Status, nope.Body).ShouldBe((HttpStatusCode.BadRequest, "Request decode failed: time: invalid duration \"nope\""));
        bound.Status.ShouldBe(HttpStatusCode.OK);
        (orphan.Status, orphan.Body).ShouldBe((HttpStatusCode.NotFound, "ServiceID \"ghost\" does not exist"));
        check.GetProperty("ServiceID").GetString().ShouldBe("redis");
        check.GetProperty("ServiceName").GetString().ShouldBe("redis");
        check.GetProperty("Type").GetString().ShouldBe("ttl");
        (await GetJsonAsync(host, "v1/health/checks/redis")).EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()).ShouldBe(["redischeck"]);
        (await PutAsync(host, "v1/agent/service/deregister/redis")).Status.ShouldBe(HttpStatusCode.OK);
        (await GetJsonAsync(host, "v1/agent/checks")).TryGetProperty("redischeck", out _).ShouldBeFalse("a service's checks go with it");
    }

    [Theory] // agent_endpoint.go AgentRegisterCheck: its 400s
    [InlineData("""{"TTL":"15s"}""", "Missing check name")]
    [InlineData("""{"Name":"foo","TTL":"15s","Status":"fluffy"}""", "Bad check status")]
    [InlineData("""{"Name":"foo"}""", "Invalid check: exactly one of HTTP, TCP or TTL is required (script, gRPC and Docker checks are not supported here)")]
    [InlineData("""{"Name":"foo","HTTP":"http://127.0.0.1:1/","Interval":"1ms"}""", "Invalid check: Interval '1ms' must be a duration of at least 50ms for HTTP and TCP checks")]
    public async Task CheckRegister_Invalid_400WithReason(string body, string reason)
    {
        await using var host = await MeshTestHost.StartAsync();

        (await PutAsync(host, "v1/agent/check/register", body)).ShouldBe((HttpStatusCode.BadRequest, reason));
    }

    [Fact] // TestAPI_AgentUpdateTTLOpts / TestAPI_AgentSetTTLStatus, through PUT agent/check/update
    public async Task CheckUpdate_StatusAndOutput_ShownAndBadStatusRefused()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(new AgentServiceRegistration { Name = "foo", Check = new AgentServiceCheck { Ttl = "15s" } }, default);

        foreach (var (status, output) in new[] { ("warning", "foo"), ("passing", "bar"), ("critical", "baz") })
        {
            (await PutAsync(host, "v1/agent/check/update/service:foo", $$"""{"Status":"{{status}}","Output":"{{output}}"}""")).Status.ShouldBe(HttpStatusCode.OK);
            var check = (await GetJsonAsync(host, "v1/agent/checks")).GetProperty("service:foo");
            (check.GetProperty("Status").GetString(), check.GetProperty("Output").GetString()).ShouldBe((status, output));
        }

        (await PutAsync(host, "v1/agent/check/update/service:foo", """{"Status":"fluffy"}""")).ShouldBe((HttpStatusCode.BadRequest, "Invalid check status: 'fluffy'"));
        (await PutAsync(host, "v1/agent/check/update/nope", """{"Status":"passing"}"""))
            .ShouldBe((HttpStatusCode.NotFound, "Unknown check ID \"nope\". Ensure that the check ID is passed, not the check name."));
    }

    [Fact] // agent/local/state.go: a node check (no ServiceID) is part of every service's health on the node
    public async Task NodeCheck_Critical_ListedForTheNodeAndFailsEveryServiceUntilPassing()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("web", 8000, "web-1"), default);
        var node = await NodeNameAsync(host);

        (await PutAsync(host, "v1/agent/check/register", """{"ID":"disk","Name":"Disk space","TTL":"1m","Notes":"df /"}""")).Status.ShouldBe(HttpStatusCode.OK);
        var entry = (await GetJsonAsync(host, "v1/health/service/web"))[0];
        var passingOnly = await GetJsonAsync(host, "v1/health/service/web?passing");
        var nodeChecks = await GetJsonAsync(host, $"v1/health/node/{node}");
        var critical = await GetJsonAsync(host, "v1/health/state/critical");

        entry.GetProperty("Checks")[0].GetProperty("CheckID").GetString().ShouldBe("disk");
        entry.GetProperty("Checks")[0].GetProperty("Notes").GetString().ShouldBe("df /");
        passingOnly.GetArrayLength().ShouldBe(0);
        nodeChecks.EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()).ShouldBe(["serfHealth", "disk"]);
        critical.EnumerateArray().Select(c => c.GetProperty("CheckID").GetString()).ShouldBe(["disk"]);
        (await GetJsonAsync(host, "v1/health/checks/web")).GetArrayLength().ShouldBe(0, "health/checks lists the service's own checks");

        (await consul.UpdateTtlAsync("disk", HealthStatuses.Passing, "ok", default)).ShouldBeTrue();
        (await GetJsonAsync(host, "v1/health/service/web?passing")).GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task CheckDeregister_UnknownOrOwnedByAService_ConsulsAnswers()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("web", 8000, "web-1", new AgentServiceCheck { CheckId = "web-ttl", Ttl = "15s" }), default);

        var unknown = await PutAsync(host, "v1/agent/check/deregister/nope");
        var owned = await PutAsync(host, "v1/agent/check/deregister/web-ttl");
        var taken = await PutAsync(host, "v1/agent/check/register", """{"ID":"web-ttl","Name":"other","TTL":"5s"}""");

        unknown.ShouldBe((HttpStatusCode.NotFound, "Unknown check ID \"nope\". Ensure that the check ID is passed, not the check name."));
        owned.Status.ShouldBe(HttpStatusCode.BadRequest);
        taken.Status.ShouldBe(HttpStatusCode.BadRequest);
        (await GetJsonAsync(host, "v1/agent/checks")).GetProperty("web-ttl").GetProperty("ServiceID").GetString().ShouldBe("web-1");
    }
}
