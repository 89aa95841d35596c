using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery;

/// <summary>The check records of the registry log replayed (from the log and from a snapshot), and output-only index rules.</summary>
public sealed class CheckPersistenceTests
{
    [Theory]
    [InlineData(1000)] // all in the log
    [InlineData(3)] // mostly in snapshots
    public async Task Reopen_CheckMaintenanceAndNodeRecords_ReplayReachesTheSameChecks(int compactAfter)
    {
        using var folder = new TempFolder();
        string[] live;
        await using (var log = RegistryLog.Open(folder.Path, NullLogger.Instance, compactAfter: compactAfter))
        {
            var store = new RegistryStore(log, TimeProvider.System);
            await store.RegisterAsync(new AgentServiceRegistration { Name = "redis", Port = 6379 });
            await store.RegisterAsync(new AgentServiceRegistration { Name = "gone", Port = 1 });
            (await store.RegisterCheckAsync(new AgentCheckRegistration { Name = "redischeck", ServiceId = "redis", Ttl = "15s", Notes = "n" })).ShouldBeNull();
            (await store.RegisterCheckAsync(new AgentCheckRegistration { Name = "gonecheck", ServiceId = "gone", Ttl = "15s" })).ShouldBeNull();
            (await store.RegisterCheckAsync(new AgentCheckRegistration { Id = "disk", Name = "Disk", Ttl = "1m", Status = HealthStatuses.Passing })).ShouldBeNull();
            (await store.RegisterCheckAsync(new AgentCheckRegistration { Id = "static", Name = "From the catalog", Status = HealthStatuses.Warning })).ShouldBeNull();
            (await store.SetMaintenanceAsync("redis", enable: true, "broken")).ShouldBeTrue();
            (await store.SetMaintenanceAsync("", enable: true, null)).ShouldBeTrue();
            (await store.SetMaintenanceAsync("", enable: false, null)).ShouldBeTrue();
            (await store.DeregisterCheckAsync("disk")).ShouldBeTrue();
            (await store.DeregisterAsync("gone")).ShouldBeTrue(); // takes gonecheck with it
            live = Describe(store);
        }

        await using var reopened = RegistryLog.Open(folder.Path, NullLogger.Instance);
        var replayed = Describe(new RegistryStore(reopened, TimeProvider.System));

        replayed.ShouldBe(live);
        live.ShouldBe(["redischeck@redis:ttl:critical:n", "_service_maintenance:redis@redis:maintenance:critical:broken", "static@::warning:"], ignoreOrder: true);
    }

    [Fact]
    public async Task Reopen_NodeDeregistered_ApiRegistrationsGoneServicesYamlsKept()
    {
        using var folder = new TempFolder();
        await using (var log = RegistryLog.Open(folder.Path, NullLogger.Instance))
        {
            var store = new RegistryStore(log, TimeProvider.System);
            await store.RegisterAsync(new AgentServiceRegistration
            {
                Name = "platform", Port = 80, Meta = new Dictionary<string, string> { [ServiceDefinition.SourceMetaKey] = ServiceDefinition.SourceMetaValue },
            });
            await store.RegisterAsync(new AgentServiceRegistration { Name = "api-registered", Port = 81 });
            await store.RegisterCheckAsync(new AgentCheckRegistration { Name = "node-ttl", Ttl = "1m" });
            await store.DeregisterNodeAsync();
            store.AgentServices().Select(s => s.Id).ShouldBe(["platform"]);
            store.NodeChecks().ShouldBeEmpty();
        }

        await using var reopened = RegistryLog.Open(folder.Path, NullLogger.Instance);
        var replayed = new RegistryStore(reopened, TimeProvider.System);

        replayed.AgentServices().Select(s => s.Id).ShouldBe(["platform"]);
        replayed.NodeChecks().ShouldBeEmpty();
    }

    [Fact] // agent/local/state.go UpdateCheck: output-only changes are synced after check_update_interval/2 + stagger
    public async Task SetCheckState_OutputOnlyChanges_ShownAtOnceIndexMovesOncePerInterval()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var log = RegistryLog.Open(folder.Path, NullLogger.Instance);
        var store = new RegistryStore(log, clock);
        await store.RegisterAsync(new AgentServiceRegistration { Name = "web", Port = 80, Check = new AgentServiceCheck { CheckId = "web-ttl", Ttl = "1h" } });
        store.SetCheckState("web-ttl", HealthStatuses.Passing, "uptime 1s").ShouldBeTrue();
        var afterStatus = store.TopicIndex(ChangeSignals.Service("web"));

        store.SetCheckState("web-ttl", HealthStatuses.Passing, "uptime 2s");
        store.SetCheckState("web-ttl", HealthStatuses.Passing, "uptime 3s");
        clock.Advance(RegistryStore.CheckUpdateInterval / 2 - TimeSpan.FromSeconds(1));

        store.CheckStateOf("web-ttl")!.Output.ShouldBe("uptime 3s", "the output is kept at once");
        (store.TopicIndex(ChangeSignals.Service("web")), store.TopicIndex(ChangeSignals.Health)).ShouldBe((afterStatus, afterStatus), "no index move before the deferred sync");

        clock.Advance(RegistryStore.CheckUpdateInterval);
        var synced = store.TopicIndex(ChangeSignals.Service("web"));
        synced.ShouldBe(afterStatus + 1, "one sync for all the output changes of the interval");
        store.TopicIndex(ChangeSignals.Health).ShouldBe(synced);

        store.SetCheckState("web-ttl", HealthStatuses.Critical, "down");
        store.TopicIndex(ChangeSignals.Service("web")).ShouldBeGreaterThan(synced, "a status change moves the index at once");
    }

    // Every check the agent holds, as ID@ServiceID:Type:Status:Notes.
    private static string[] Describe(RegistryStore store) =>
        [.. store.NodeChecks().Select(c => Line(c, "")).Concat(store.AllInstances().SelectMany(i => i.Checks.Select(c => Line(c, i.Service.Id))))];

    private static string Line(CheckView check, string serviceId) =>
        $"{check.Definition.CheckId}@{serviceId}:{check.Definition.Type}:{check.State.Status}:{check.Definition.Notes}";
}
