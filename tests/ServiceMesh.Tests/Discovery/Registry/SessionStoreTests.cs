using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Registry;

/// <summary>Sessions and locks in the store itself: TTLs on a fake clock, and replay of the log after a restart.</summary>
public sealed class SessionStoreTests
{
    private static SessionRecord Session(string ttl = "", string behavior = SessionRecord.Release, long lockDelay = 0, params string[] checks) =>
        new("", "", "service-mesh", lockDelay, behavior, ttl, checks, []);

    [Fact]
    public async Task Ttl_NotRenewed_SessionEndsAfterTwiceTheTtlAndReleasesItsLock()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var log = RegistryLog.Open(folder.Path, NullLogger.Instance);
        using var store = new RegistryStore(log, clock);
        var (id, _) = await store.CreateSessionAsync(Session(ttl: "10s"));
        (await store.WriteKvAsync([new KvOperation(KvVerbs.Lock, "leader", [1], Session: id)])).Succeeded.ShouldBeTrue();

        clock.Advance(TimeSpan.FromSeconds(19));
        store.SessionExists(id!).ShouldBeTrue("Consul waits twice the TTL");
        clock.Advance(TimeSpan.FromSeconds(2));

        await EventuallyAsync(() => !store.SessionExists(id!));
        store.Kv("leader", recurse: false).Pairs[0].Session.ShouldBeNull();
    }

    [Fact]
    public async Task Renew_BeforeExpiry_TtlStartsAgain()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var log = RegistryLog.Open(folder.Path, NullLogger.Instance);
        using var store = new RegistryStore(log, clock);
        var (id, _) = await store.CreateSessionAsync(Session(ttl: "10s"));

        clock.Advance(TimeSpan.FromSeconds(15));
        store.RenewSession(id!).ShouldNotBeNull();
        clock.Advance(TimeSpan.FromSeconds(15));

        store.SessionExists(id!).ShouldBeTrue("renewed 15 s ago, with 20 s to live");
        clock.Advance(TimeSpan.FromSeconds(6));
        await EventuallyAsync(() => !store.SessionExists(id!));
    }

    [Fact]
    public async Task LockDelay_AfterInvalidation_AcquireRefusedUntilItPasses()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var log = RegistryLog.Open(folder.Path, NullLogger.Instance);
        using var store = new RegistryStore(log, clock);
        var (holder, _) = await store.CreateSessionAsync(Session(lockDelay: (long)TimeSpan.FromSeconds(15).TotalNanoseconds));
        var (waiter, _) = await store.CreateSessionAsync(Session());
        await store.WriteKvAsync([new KvOperation(KvVerbs.Lock, "job", [], Session: holder)]);
        await store.DestroySessionAsync(holder!);

        var during = await store.WriteKvAsync([new KvOperation(KvVerbs.Lock, "job", [], Session: waiter)]);
        clock.Advance(TimeSpan.FromSeconds(16));
        var after = await store.WriteKvAsync([new KvOperation(KvVerbs.Lock, "job", [], Session: waiter)]);

        during.Errors!.Single().What.ShouldBe("failed to lock key \"job\" due to lock delay");
        after.Succeeded.ShouldBeTrue();
    }

    [Theory]
    [InlineData(20_000)]
    [InlineData(3)] // compacted along the way: the snapshot carries sessions and lock holders
    public async Task Reopen_SessionsLocksAndTransactions_ReplayReachesTheSameState(int compactAfter)
    {
        using var folder = new TempFolder();
        string[] live;
        string? kept;
        await using (var log = RegistryLog.Open(folder.Path, NullLogger.Instance, compactAfter))
        {
            using var store = new RegistryStore(log, TimeProvider.System);
            (await store.RegisterAsync(new AgentServiceRegistration { Name = "db", Port = 5432, Check = new AgentServiceCheck { CheckId = "db-ttl", Ttl = "30s", Status = "passing" } })).ShouldBeNull();
            (kept, var refused) = await store.CreateSessionAsync(Session(checks: "db-ttl"));
            refused.ShouldBeNull();
            var (gone, _) = await store.CreateSessionAsync(Session(behavior: SessionRecord.Delete));
            await store.WriteKvAsync([new KvOperation(KvVerbs.Lock, "held", [1], Session: kept)]);
            await store.WriteKvAsync([new KvOperation(KvVerbs.Lock, "temp", [2], Session: gone)]);
            (await store.WriteKvAsync([new KvOperation(KvVerbs.Set, "t/a", [3]), new KvOperation(KvVerbs.CheckNotExists, "held")])).Succeeded.ShouldBeFalse();
            await store.DestroySessionAsync(gone!);
            live = Describe(store);
        }

        await using var reopened = RegistryLog.Open(folder.Path, NullLogger.Instance, compactAfter);
        using var replayed = new RegistryStore(reopened, TimeProvider.System);

        Describe(replayed).ShouldBe(live);
        live.Single().ShouldStartWith($"held={kept}#1@");
        replayed.SessionExists(kept!).ShouldBeTrue();
    }

    private static string[] Describe(RegistryStore store) =>
        [.. store.Kv("", recurse: true).Pairs.Select(p => $"{p.Key}={p.Session}#{p.LockIndex}@{p.CreateIndex}/{p.ModifyIndex}")];

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        condition().ShouldBeTrue();
    }
}
