using System.Net;
using System.Text;
using System.Text.Json;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>KV locks with sessions: Consul's api/kv_test.go, lock_test.go and semaphore_test.go scenarios over real HTTP.</summary>
public sealed class ConsulLockApiTests
{
    [Fact] // TestAPI_ClientAcquireRelease
    public async Task AcquireRelease_OneSession_LockIndexOneAndSessionClearedOnRelease()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var id = await consul.CreateSessionAsync("""{"Checks":[]}""");

        (await consul.PutAsync($"v1/kv/test/lock?acquire={id}", "test")).GetBoolean().ShouldBeTrue();
        var held = (await consul.GetAsync("v1/kv/test/lock"))[0];
        (await consul.PutAsync($"v1/kv/test/lock?release={id}", "test")).GetBoolean().ShouldBeTrue();
        var released = (await consul.GetAsync("v1/kv/test/lock"))[0];

        held.GetProperty("LockIndex").GetUInt64().ShouldBe(1UL);
        held.GetProperty("Session").GetString().ShouldBe(id);
        released.GetProperty("LockIndex").GetUInt64().ShouldBe(1UL);
        released.TryGetProperty("Session", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Acquire_HeldByAnother_FalseUntilReleasedThenLockIndexTwo()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var first = await consul.CreateSessionAsync();
        var second = await consul.CreateSessionAsync();

        (await consul.PutAsync($"v1/kv/svc/leader?acquire={first}", "a")).GetBoolean().ShouldBeTrue();
        (await consul.PutAsync($"v1/kv/svc/leader?acquire={first}", "a2")).GetBoolean().ShouldBeTrue("the holder may update its value");
        (await consul.PutAsync($"v1/kv/svc/leader?acquire={second}", "b")).GetBoolean().ShouldBeFalse();
        (await consul.PutAsync($"v1/kv/svc/leader?release={second}", "b")).GetBoolean().ShouldBeFalse("only the holder releases");
        (await consul.PutAsync($"v1/kv/svc/leader?release={first}", "")).GetBoolean().ShouldBeTrue();
        (await consul.PutAsync($"v1/kv/svc/leader?acquire={second}", "b")).GetBoolean().ShouldBeTrue();

        var pair = (await consul.GetAsync("v1/kv/svc/leader"))[0];
        pair.GetProperty("LockIndex").GetUInt64().ShouldBe(2UL);
        pair.GetProperty("Session").GetString().ShouldBe(second);
        Encoding.UTF8.GetString(Convert.FromBase64String(pair.GetProperty("Value").GetString()!)).ShouldBe("b");
    }

    [Fact]
    public async Task Acquire_UnknownSession_500InvalidSession()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);

        var (status, body, _) = await consul.SendAsync(HttpMethod.Put, "v1/kv/k?acquire=00000000-0000-0000-0000-000000000000", "v");

        status.ShouldBe(HttpStatusCode.InternalServerError);
        body.ShouldBe("invalid session \"00000000-0000-0000-0000-000000000000\"");
        (await consul.SendAsync(HttpMethod.Get, "v1/kv/k")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Destroy_ReleaseBehavior_KeyKeptUnlockedAndLockDelayRefusesTheNextAcquire()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var holder = await consul.CreateSessionAsync("""{"LockDelay":"60s"}""");
        var waiter = await consul.CreateSessionAsync();
        await consul.PutAsync($"v1/kv/job/lock?acquire={holder}", "x");

        await consul.PutAsync($"v1/session/destroy/{holder}");

        var pair = (await consul.GetAsync("v1/kv/job/lock"))[0];
        pair.TryGetProperty("Session", out _).ShouldBeFalse();
        (await consul.PutAsync($"v1/kv/job/lock?acquire={waiter}", "y")).GetBoolean().ShouldBeFalse("within the holder's lock delay");
        (await consul.PutAsync("v1/kv/job/lock", "plain write")).GetBoolean().ShouldBeTrue("lock delay only holds back acquires");
    }

    [Fact]
    public async Task Destroy_DeleteBehavior_KeysItHeldDeleted()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var id = await consul.CreateSessionAsync("""{"Behavior":"delete","LockDelay":0}""");
        await consul.PutAsync($"v1/kv/ephemeral/a?acquire={id}", "1");
        await consul.PutAsync("v1/kv/ephemeral/b", "2");

        await consul.PutAsync($"v1/session/destroy/{id}");

        (await consul.SendAsync(HttpMethod.Get, "v1/kv/ephemeral/a")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await consul.GetAsync("v1/kv/ephemeral/b")).GetArrayLength().ShouldBe(1, "a key it did not hold stays");
    }

    [Fact] // TestAPI_LockContend, as api/lock.go waits: a blocking read on the lock key wakes when the holder lets go
    public async Task BlockingGet_OnHeldLock_WakesOnReleaseAndTheWaiterAcquires()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var holder = await consul.CreateSessionAsync("""{"TTL":"15s","Behavior":"release","LockDelay":0}""");
        var waiter = await consul.CreateSessionAsync("""{"TTL":"15s","Behavior":"release","LockDelay":0}""");
        const ulong lockFlag = 0x2ddccbc058a50c18; // api.LockFlagValue
        (await consul.PutAsync($"v1/kv/service/app/leader?acquire={holder}&flags={lockFlag}", "")).GetBoolean().ShouldBeTrue();
        (await consul.PutAsync($"v1/kv/service/app/leader?acquire={waiter}&flags={lockFlag}", "")).GetBoolean().ShouldBeFalse();
        var (_, _, index) = await consul.SendAsync(HttpMethod.Get, "v1/kv/service/app/leader");

        var blocked = consul.SendAsync(HttpMethod.Get, $"v1/kv/service/app/leader?index={index}&wait=30s");
        await consul.PutAsync($"v1/kv/service/app/leader?release={holder}&flags={lockFlag}", "");
        var (_, body, woken) = await blocked;

        woken.ShouldBeGreaterThan(index);
        var pair = JsonDocument.Parse(body).RootElement[0];
        pair.GetProperty("Flags").GetUInt64().ShouldBe(lockFlag);
        pair.TryGetProperty("Session", out _).ShouldBeFalse();
        (await consul.PutAsync($"v1/kv/service/app/leader?acquire={waiter}&flags={lockFlag}", "")).GetBoolean().ShouldBeTrue();
    }

    [Fact] // TestAPI_SemaphoreContend, with api/semaphore.go's layout: contender keys plus a .lock key updated by CAS
    public async Task Semaphore_LimitTwo_ThirdContenderWaitsForASlot()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        const ulong semaphoreFlag = 0xe0f69a2baa414de0; // api.SemaphoreFlagValue
        var sessions = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            sessions.Add(await consul.CreateSessionAsync("""{"LockDelay":0}"""));
            (await consul.PutAsync($"v1/kv/sem/{sessions[i]}?acquire={sessions[i]}&flags={semaphoreFlag}", "")).GetBoolean().ShouldBeTrue();
        }

        var granted = new List<string>();
        foreach (var session in sessions)
        {
            granted.Add(await TryTakeSlotAsync(consul, session, limit: 2) ? session : "");
        }

        granted.Count(g => g.Length > 0).ShouldBe(2);
        await consul.PutAsync($"v1/session/destroy/{sessions[0]}"); // the first holder dies: its contender key is released
        (await TryTakeSlotAsync(consul, sessions[2], limit: 2)).ShouldBeTrue("a dead holder's slot is pruned and taken");
    }

    // One round of api/semaphore.go's Acquire: read the prefix, prune holders whose contender key lost its session, and
    // CAS the .lock key with this session added when there is room.
    private static async Task<bool> TryTakeSlotAsync(ConsulHttp consul, string session, int limit)
    {
        var entries = await consul.GetAsync("v1/kv/sem/?recurse");
        var live = entries.EnumerateArray().Where(e => e.TryGetProperty("Session", out _)).Select(e => e.GetProperty("Session").GetString()!).ToHashSet();
        var lockEntry = entries.EnumerateArray().FirstOrDefault(e => e.GetProperty("Key").GetString() == "sem/.lock");
        var holders = new List<string>();
        var modifyIndex = 0UL;
        if (lockEntry.ValueKind == JsonValueKind.Object)
        {
            modifyIndex = lockEntry.GetProperty("ModifyIndex").GetUInt64();
            var doc = JsonDocument.Parse(Convert.FromBase64String(lockEntry.GetProperty("Value").GetString()!)).RootElement;
            holders = [.. doc.GetProperty("Holders").EnumerateObject().Select(h => h.Name).Where(live.Contains)];
        }

        if (holders.Count >= limit)
        {
            return false;
        }

        holders.Add(session);
        var value = JsonSerializer.Serialize(new Dictionary<string, object> { ["Limit"] = limit, ["Holders"] = holders.ToDictionary(h => h, _ => true) });
        return (await consul.PutAsync($"v1/kv/sem/.lock?cas={modifyIndex}", value)).GetBoolean();
    }

    [Fact]
    public async Task BlockingGet_OtherKeyWritten_DoesNotWakeAndKeepsTheKeysIndex()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        await consul.PutAsync("v1/kv/watched", "1");
        var (_, _, index) = await consul.SendAsync(HttpMethod.Get, "v1/kv/watched");

        var blocked = consul.SendAsync(HttpMethod.Get, $"v1/kv/watched?index={index}&wait=1s");
        await consul.PutAsync("v1/kv/unrelated", "2");
        var (_, _, after) = await blocked;
        var (_, _, prefixIndex) = await consul.SendAsync(HttpMethod.Get, "v1/kv/unrel?recurse");

        after.ShouldBe(index, "a write to another key neither wakes the watch nor moves the key's index");
        prefixIndex.ShouldBeGreaterThan(index, "a prefix answers the highest index under it");
    }

    [Fact]
    public async Task BlockingGet_KeyDeleted_Wakes404WithHigherIndex()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        await consul.PutAsync("v1/kv/config/a", "1");
        var (_, _, index) = await consul.SendAsync(HttpMethod.Get, "v1/kv/config/?recurse");

        var blocked = consul.SendAsync(HttpMethod.Get, $"v1/kv/config/?recurse&index={index}&wait=30s");
        await consul.SendAsync(HttpMethod.Delete, "v1/kv/config/a");
        var (status, _, woken) = await blocked;

        status.ShouldBe(HttpStatusCode.NotFound);
        woken.ShouldBeGreaterThan(index);
    }

    [Fact]
    public async Task Put_SameValueAgain_ModifyIndexUnchanged()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        await consul.PutAsync("v1/kv/same", "v");
        var first = (await consul.GetAsync("v1/kv/same"))[0].GetProperty("ModifyIndex").GetUInt64();

        (await consul.PutAsync("v1/kv/same", "v")).GetBoolean().ShouldBeTrue();

        (await consul.GetAsync("v1/kv/same"))[0].GetProperty("ModifyIndex").GetUInt64().ShouldBe(first, "Consul skips an unchanged entry");
    }
}
