using System.Net;
using System.Text.Json;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>Scenarios ported from Consul's api/session_test.go (named in each test), over real HTTP against the embedded agent.</summary>
public sealed class ConsulSessionApiTests
{
    [Fact] // TestAPI_SessionCreateDestroy
    public async Task CreateDestroy_DefaultSession_IdThenGone()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);

        var id = await consul.CreateSessionAsync();
        (await consul.PutAsync($"v1/session/destroy/{id}")).GetBoolean().ShouldBeTrue();

        Guid.TryParse(id, out _).ShouldBeTrue(id);
        (await consul.GetAsync($"v1/session/info/{id}")).GetArrayLength().ShouldBe(0);
    }

    [Fact] // TestAPI_SessionCreateRenewDestroy, TestAPI_SessionCreateRenewDestroyRenew
    public async Task Renew_LiveThenDestroyed_SessionThen404()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var id = await consul.CreateSessionAsync("""{"TTL":"10s","Behavior":"delete"}""");

        var renewed = (await consul.PutAsync($"v1/session/renew/{id}"))[0];
        await consul.PutAsync($"v1/session/destroy/{id}");
        var (status, body, _) = await consul.SendAsync(HttpMethod.Put, $"v1/session/renew/{id}");

        renewed.GetProperty("ID").GetString().ShouldBe(id);
        renewed.GetProperty("TTL").GetString().ShouldBe("10s");
        renewed.GetProperty("Behavior").GetString().ShouldBe("delete");
        status.ShouldBe(HttpStatusCode.NotFound);
        body.ShouldBe($"Session id '{id}' not found");
    }

    [Fact] // TestAPI_SessionInfo
    public async Task Info_DefaultSession_ConsulDefaults()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var id = await consul.CreateSessionAsync();

        var (status, body, index) = await consul.SendAsync(HttpMethod.Get, $"v1/session/info/{id}");
        var info = JsonDocument.Parse(body).RootElement[0];

        status.ShouldBe(HttpStatusCode.OK);
        index.ShouldBeGreaterThan(0UL);
        info.GetProperty("ID").GetString().ShouldBe(id);
        info.GetProperty("Node").GetString().ShouldBe("service-mesh");
        info.GetProperty("Checks").EnumerateArray().Select(c => c.GetString()).ShouldBe(["serfHealth"]);
        info.GetProperty("LockDelay").GetInt64().ShouldBe(15_000_000_000L, "15 s in nanoseconds");
        info.GetProperty("Behavior").GetString().ShouldBe("release");
        info.GetProperty("TTL").GetString().ShouldBe("");
        info.GetProperty("CreateIndex").GetUInt64().ShouldBeGreaterThan(0UL);
    }

    [Theory] // TestAPI_SessionInfo_NoChecks: the Go client's CreateNoChecks sends "NodeChecks": []
    [InlineData("""{"Checks":[],"LockDelay":5,"Name":"no-checks"}""")]
    [InlineData("""{"NodeChecks":[],"LockDelay":"5s","Name":"no-checks"}""")]
    public async Task Info_EmptyChecks_NoChecksAndLockDelayInSecondsWhenSmall(string body)
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var id = await consul.CreateSessionAsync(body);

        var info = (await consul.GetAsync($"v1/session/info/{id}"))[0];

        info.GetProperty("Checks").GetArrayLength().ShouldBe(0);
        info.GetProperty("Name").GetString().ShouldBe("no-checks");
        info.GetProperty("LockDelay").GetInt64().ShouldBe(5_000_000_000L, "a number under 1000 is seconds (lockDelayMinThreshold)");
    }

    [Fact] // TestAPI_SessionNode, TestAPI_SessionList
    public async Task NodeAndList_OneSession_BothListIt()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var id = await consul.CreateSessionAsync("""{"LockDelay":"1s"}""");

        var onNode = await consul.GetAsync("v1/session/node/service-mesh");
        var all = await consul.GetAsync("v1/session/list");

        onNode.EnumerateArray().Select(s => s.GetProperty("ID").GetString()).ShouldBe([id]);
        all.EnumerateArray().Select(s => s.GetProperty("ID").GetString()).ShouldBe([id]);
        all[0].GetProperty("LockDelay").GetInt64().ShouldBe(1_000_000_000L);
        (await consul.GetAsync("v1/session/node/other-node")).GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"TTL":"5s"}""", "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]")]
    [InlineData("""{"TTL":"25h"}""", "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]")]
    [InlineData("""{"TTL":"soon"}""", "Session TTL 'soon' invalid: time: invalid duration \"soon\"")]
    [InlineData("""{"Behavior":"keep"}""", "Invalid Behavior setting 'keep'")]
    [InlineData("""{"Node":"elsewhere"}""", "Missing node registration")]
    [InlineData("""{"Checks":["no-such-check"]}""", "Missing check 'no-such-check' registration")]
    public async Task Create_Refused_500WithConsulsReason(string body, string reason)
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);

        var (status, text, _) = await consul.SendAsync(HttpMethod.Put, "v1/session/create", body);

        status.ShouldBe(HttpStatusCode.InternalServerError);
        text.ShouldBe(reason);
        (await consul.GetAsync("v1/session/list")).GetArrayLength().ShouldBe(0, "nothing was created");
    }

    [Fact]
    public async Task Create_BodyNotJson_400DecodeFailed()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);

        var (status, text, _) = await consul.SendAsync(HttpMethod.Put, "v1/session/create", "{\"TTL\":");

        status.ShouldBe(HttpStatusCode.BadRequest);
        text.ShouldStartWith("Request decode failed: ");
    }

    [Fact]
    public async Task Create_CriticalServiceCheck_RefusedAndCheckBoundSessionEndsWhenItTurnsCritical()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        await consul.SendAsync(HttpMethod.Put, "v1/agent/service/register",
            """{"Name":"locker","Port":7000,"Check":{"CheckID":"locker-ttl","TTL":"30s","Status":"passing"}}""");
        var id = await consul.CreateSessionAsync("""{"Checks":["serfHealth","locker-ttl"],"LockDelay":0}""");
        (await consul.PutAsync($"v1/kv/leader?acquire={id}", "me")).GetBoolean().ShouldBeTrue();

        await consul.SendAsync(HttpMethod.Put, "v1/agent/check/fail/locker-ttl");
        await DiscoveryTestSupport.EventuallyAsync(async () => (await consul.GetAsync($"v1/session/info/{id}")).GetArrayLength() == 0,
            "the session ends when its check turns critical");
        var (status, text, _) = await consul.SendAsync(HttpMethod.Put, "v1/session/create", """{"Checks":["locker-ttl"]}""");

        (await consul.GetAsync("v1/kv/leader"))[0].TryGetProperty("Session", out _).ShouldBeFalse("the lock was released");
        status.ShouldBe(HttpStatusCode.InternalServerError);
        text.ShouldBe("Check 'locker-ttl' is in critical state");
    }

    [Fact]
    public async Task List_Blocking_WakesOnCreate()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var (_, _, index) = await consul.SendAsync(HttpMethod.Get, "v1/session/list");

        var blocked = consul.SendAsync(HttpMethod.Get, $"v1/session/list?index={index}&wait=30s");
        var id = await consul.CreateSessionAsync();
        var (_, body, woken) = await blocked;

        woken.ShouldBeGreaterThan(index);
        JsonDocument.Parse(body).RootElement[0].GetProperty("ID").GetString().ShouldBe(id);
    }
}
