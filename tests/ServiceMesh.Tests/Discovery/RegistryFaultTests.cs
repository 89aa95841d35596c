using System.Text;
using DnsClient;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery;

/// <summary>
/// The embedded registry on a disk that fills up (an injected log whose writes fail with "No space left on device"):
/// writes are refused with 503 and the reason, nothing refused is ever visible or durable, the reaper keeps the host
/// running, and everything works again once space is back.
/// </summary>
public sealed partial class RegistryFaultTests
{
    [Fact]
    public async Task ConsulRegister_DiskFull_503WithReasonAndInstanceInvisibleEverywhere()
    {
        var disk = new InjectedDisk();
        await using var host = await HostOnAsync(disk);
        using var http = ConsulHttp(host);
        await ConsulClientFor(host).RegisterAsync(Service("kept", 9000), default); // the log exists: the refusal is a failed append
        var index = await IndexOfAsync(http, "v1/catalog/service/lost");
        var blocked = http.GetAsync(new Uri($"v1/catalog/service/lost?index={index}&wait=1s", UriKind.Relative));

        disk.Full = true;
        using var refused = await PutAsync(http, "v1/agent/service/register", """{"ID":"lost-1","Name":"lost","Address":"127.0.0.1","Port":9100}""");

        var consul = ConsulClientFor(host);
        (await consul.CatalogServiceAsync("lost", null, default)).Value.ShouldBeEmpty();
        (await consul.HealthServiceAsync("lost", false, null, default)).Value.ShouldBeEmpty();
        (await consul.AgentServicesAsync(default)).Keys.ShouldBe(["kept"]);
        (await consul.CatalogServicesAsync(null, default)).Value.Keys.ShouldNotContain("lost");
        var dns = await Resolver(host).QueryAsync("lost.service.consul", QueryType.A);
        dns.Answers.ShouldBeEmpty();
        using var waited = await blocked;
        waited.Headers.GetValues("X-Consul-Index").Single().ShouldBe(index, "a refused write never wakes a blocking query");
        (await waited.Content.ReadAsStringAsync()).ShouldBe("[]");
        await ShouldBeRefusedAsync(refused, host);
    }

    [Fact]
    public async Task ConsulRegister_SpaceBack_NextWriteSucceedsAndStorageFaultClears()
    {
        var disk = new InjectedDisk();
        await using var host = await HostOnAsync(disk);
        using var http = ConsulHttp(host);
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("kept", 9000), default);
        disk.Full = true;
        using (var refused = await PutAsync(http, "v1/agent/service/register", """{"ID":"late-1","Name":"late","Port":9100}"""))
        {
            await ShouldBeRefusedAsync(refused, host);
        }

        var fault = RegistryFault(host).ShouldNotBeNull();
        (fault.Folder, fault.RefusesWrites).ShouldBe((RegistryFolder(host), true));
        fault.Error.ShouldContain("No space left on device");

        disk.Full = false;
        await consul.RegisterAsync(Service("late", 9100, "late-1"), default);

        (await consul.CatalogServiceAsync("late", null, default)).Value.Single().ServiceId.ShouldBe("late-1");
        RegistryFault(host).ShouldBeNull("a write that succeeds ends the fault");
    }

    [Fact]
    public async Task ConsulKvPutAndDelete_DiskFull_503AndValuesUnchanged()
    {
        var disk = new InjectedDisk();
        await using var host = await HostOnAsync(disk);
        using var http = ConsulHttp(host);
        var consul = ConsulClientFor(host);
        await consul.KvPutAsync("config/a", "one"u8.ToArray(), default);
        var index = await IndexOfAsync(http, "v1/kv/config/a");
        var blocked = http.GetAsync(new Uri($"v1/kv/config/a?index={index}&wait=1s", UriKind.Relative));

        disk.Full = true;
        using (var put = await PutAsync(http, "v1/kv/config/a", "two"))
        {
            await ShouldBeRefusedAsync(put, host);
        }

        using (var create = await PutAsync(http, "v1/kv/config/new", "three"))
        {
            await ShouldBeRefusedAsync(create, host);
        }

        using (var delete = await http.DeleteAsync(new Uri("v1/kv/config/a", UriKind.Relative)))
        {
            await ShouldBeRefusedAsync(delete, host);
        }

        (await consul.KvGetAsync("config/a", default)).ShouldBe("one"u8.ToArray());
        (await consul.KvGetAsync("config/new", default)).ShouldBeNull();
        using var waited = await blocked;
        waited.Headers.GetValues("X-Consul-Index").Single().ShouldBe(index, "a refused write never wakes a blocking query");
    }

    [Fact]
    public async Task ConsulDeregister_DiskFull_503AndInstanceKept()
    {
        var disk = new InjectedDisk();
        await using var host = await HostOnAsync(disk);
        using var http = ConsulHttp(host);
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("stays", 9000, "stays-1"), default);

        disk.Full = true;
        using var refused = await PutAsync(http, "v1/agent/service/deregister/stays-1", "");

        (await consul.CatalogServiceAsync("stays", null, default)).Value.Single().ServiceId.ShouldBe("stays-1");
        (await Resolver(host).QueryAsync("stays.service.consul", QueryType.A)).Answers.ShouldNotBeEmpty();
        await ShouldBeRefusedAsync(refused, host);
    }

    [Fact]
    public async Task Reaper_DiskFull_HostKeepsRunningAndServiceReapedOnceSpaceIsBack()
    {
        var disk = new InjectedDisk();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await HostOnAsync(disk, clock);
        var consul = ConsulClientFor(host);
        // Passing at first, so the reaper cannot act before the disk is full: TTL expiry, then critical for over a minute.
        await consul.RegisterAsync(Service("doomed", 9000, check: new AgentServiceCheck
        {
            CheckId = "doomed-ttl", Ttl = "10s", Status = HealthStatuses.Passing, DeregisterCriticalServiceAfter = "1m",
        }), default);
        disk.Full = true;

        await CheckRunnerTests.AdvanceUntilAsync(clock, () => Task.FromResult(disk.RefusedWrites >= 3), "the reaper tries again after a refused deregistration");

        var lifetime = host.App.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.IsCancellationRequested.ShouldBeFalse("a refused deregistration never stops the host");
        var runner = host.App.Services.GetServices<IHostedService>().OfType<CheckRunner>().Single();
        runner.ExecuteTask!.IsCompleted.ShouldBeFalse("the check runner keeps running");
        (await consul.CatalogServiceAsync("doomed", null, default)).Value.ShouldHaveSingleItem("a refused deregistration keeps the instance");
        RegistryFault(host).ShouldNotBeNull();

        disk.Full = false;
        await CheckRunnerTests.AdvanceUntilAsync(clock, async () => (await consul.CatalogServiceAsync("doomed", null, default)).Value.Count == 0, "reaped once space is back");
        RegistryFault(host).ShouldBeNull();
        runner.ExecuteTask.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task Reopen_AcknowledgedAndRefusedWritesMixed_StateIsExactlyTheAcknowledged()
    {
        using var folder = new TempFolder();
        var disk = new InjectedDisk();
        var services = new SortedSet<string>(StringComparer.Ordinal);
        var kv = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var refusals = 0;
        await using (var log = RegistryLog.Open(folder.Path, NullLogger.Instance, compactAfter: 25, openLog: disk.Open))
        {
            var store = new RegistryStore(log, TimeProvider.System);
            for (var round = 0; round < 12; round++)
            {
                disk.Full = round % 3 == 1;
                disk.CutBackFails = round % 6 == 4; // some refused frames also stay half-written in the log
                // Within a round every write has its own key, so what each acknowledged write did is known whatever the order.
                var writes = Enumerable.Range(0, 20).Select(async i =>
                {
                    var key = $"k{(round * 3 + i) % 25}";
                    try
                    {
                        switch ((round + i) % 4)
                        {
                            case 0:
                                (await store.RegisterAsync(new AgentServiceRegistration { Id = key, Name = "svc", Port = 1000 + round })).ShouldBeNull();
                                lock (services)
                                {
                                    services.Add(key);
                                }

                                break;
                            case 1:
                                bool present;
                                lock (services)
                                {
                                    present = services.Contains(key);
                                }

                                (await store.DeregisterAsync(key)).ShouldBe(present);
                                lock (services)
                                {
                                    services.Remove(key);
                                }

                                break;
                            case 2:
                                await store.PutKvAsync(key, Encoding.UTF8.GetBytes($"r{round}"), 0);
                                lock (kv)
                                {
                                    kv[key] = $"r{round}";
                                }

                                break;
                            default:
                                await store.DeleteKvAsync(key);
                                lock (kv)
                                {
                                    kv.Remove(key);
                                }

                                break;
                        }
                    }
                    catch (IOException) // StorageUnavailableException; caught as its base so this test is about what stays, not the type
                    {
                        Interlocked.Increment(ref refusals);
                    }
                });
                await Task.WhenAll(writes);
                ShouldHold(store, services, kv, "while running");
            }
        }
        refusals.ShouldBe(4 * 20, "every write of the four full-disk rounds was refused");

        var bytes = await File.ReadAllBytesAsync(Path.Combine(folder.Path, RegistryLog.LogFileName));
        var (_, valid, length) = RegistryLog.ReadFrames(bytes);
        valid.ShouldBe(length, "no torn frame in front of acknowledged records");
        await using var reopened = RegistryLog.Open(folder.Path, NullLogger.Instance);
        ShouldHold(new RegistryStore(reopened, TimeProvider.System), services, kv, "after a restart");
    }

    [Fact]
    public async Task Register_CheckUpdateWhileWaitingForDisk_BlockingQueryWokenWhenItLands()
    {
        using var folder = new TempFolder();
        var disk = new InjectedDisk();
        await using var log = RegistryLog.Open(folder.Path, NullLogger.Instance, openLog: disk.Open);
        var store = new RegistryStore(log, TimeProvider.System);
        await store.RegisterAsync(new AgentServiceRegistration { Id = "api-1", Name = "api", Port = 1, Check = new AgentServiceCheck { CheckId = "api-ttl", Ttl = "1m" } });

        disk.Hold();
        var topic = ChangeSignals.Service("api");
        Task moved, woken;
        ulong seen;
        try
        {
            moved = store.RegisterAsync(new AgentServiceRegistration { Id = "api-1", Name = "api", Port = 2, Check = new AgentServiceCheck { CheckId = "api-ttl", Ttl = "1m" } });
            store.SetCheckState("api-ttl", HealthStatuses.Passing, "ok").ShouldBeTrue(); // shown at once, with a later index than the queued write's
            seen = store.TopicIndex(topic);
            store.Instances("api").Instances.Single().Service.Registration.Port.ShouldBe(1, "the new port is not on disk yet");
            woken = store.WaitAsync(topic, seen, TimeSpan.FromMinutes(1), default);
        }
        finally
        {
            disk.Release(); // also when an assertion failed: the log's writer must not stay blocked while the test disposes it
        }
        await moved;
        await woken;

        store.TopicIndex(topic).ShouldBeGreaterThan(seen, "a watcher that saw the check update must see the registration land");
        store.Instances("api").Instances.Single().Service.Registration.Port.ShouldBe(2);
    }
}
