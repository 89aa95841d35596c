using ServiceMesh.Discovery.Watch;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery;

public sealed class CatalogWatcherTests
{
    [Fact]
    public async Task WatchAsync_BurstOfRegistrations_FewDebouncedEventsNamingEveryService()
    {
        await using var host = await MeshTestHost.StartAsync();
        var watcher = Watcher(host);
        var consul = ConsulClientFor(host);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = watcher.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        (await events.MoveNextAsync()).ShouldBeTrue();
        events.Current.Snapshot.ShouldBe(watcher.Current, "the first event is the current snapshot");

        var names = Enumerable.Range(0, 20).Select(i => $"burst-{i}").ToList();
        await Task.WhenAll(names.Select((n, i) => consul.RegisterAsync(Service(n, 9000 + i), stop.Token)));

        var seen = new HashSet<string>();
        var count = 0;
        while (!names.All(seen.Contains))
        {
            (await events.MoveNextAsync()).ShouldBeTrue();
            seen.UnionWith(events.Current.ChangedServices);
            count++;
        }
        count.ShouldBeLessThan(names.Count, "changes within the debounce window are published together");
        var snapshot = events.Current.Snapshot;
        snapshot.Find("burst-7")!.Instances.Single().ShouldSatisfyAllConditions(
            i => i.Port.ShouldBe(9007), i => i.Address.ShouldBe("127.0.0.1"), i => i.Health.ShouldBe(InstanceHealth.Passing));
        snapshot.Index.ShouldBeGreaterThan(0UL);
    }

    [Fact]
    public async Task WatchAsync_Deregistration_EventNamesRemovedService()
    {
        await using var host = await MeshTestHost.StartAsync();
        var watcher = Watcher(host);
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("leaving", 9000), default);
        (await watcher.WaitUntilAsync(s => s.Find("leaving") is not null, TimeSpan.FromSeconds(10), default)).ShouldBeTrue();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = watcher.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        await events.MoveNextAsync();

        await consul.DeregisterAsync("leaving", default);

        (await events.MoveNextAsync()).ShouldBeTrue();
        events.Current.ChangedServices.ShouldContain("leaving");
        events.Current.Snapshot.Find("leaving").ShouldBeNull();
    }

    [Fact]
    public async Task Preload_DefaultServicesYaml_PlatformServicesInCatalogWithMeshDefinition()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "config", "services.yaml");
        await using var host = await MeshTestHost.StartAsync(settings: s =>
        {
            Directory.CreateDirectory(s["CONFIG_PATH"]!);
            File.WriteAllText(Path.Combine(s["CONFIG_PATH"]!, "services.yaml"), File.ReadAllText(shipped) + """

                  - name: with-mesh
                    port: 9999
                    mesh: { public_port: 21000, upstreams: [ { name: api-gateway, local_bind_port: 22000 } ] }
                """);
        });
        var watcher = Watcher(host);

        (await watcher.WaitUntilAsync(s => s.Services.Count == 12, TimeSpan.FromSeconds(15), default)).ShouldBeTrue("11 from services.yaml and the server's consul");
        var snapshot = watcher.Current;
        snapshot.Find("lucid-mongodb")!.Instances.Single().Port.ShouldBe(27017);
        snapshot.Find("blockchain-engine")!.Instances.Single().Port.ShouldBe(8082);
        snapshot.Find("with-mesh")!.Definition!.Mesh!.Upstreams.Single().LocalBindPort.ShouldBe(22000);
    }

    [Fact]
    public async Task Preload_EntryTheRegistryRefuses_SkippedAndTheEntriesAfterItRegistered()
    {
        // 203.0.113.10 (TEST-NET-3) is outside CHECK_ALLOWED_NETWORKS: refused at registration, before any connection.
        await using var host = await MeshTestHost.StartAsync(settings: s =>
        {
            Directory.CreateDirectory(s["CONFIG_PATH"]!);
            File.WriteAllText(Path.Combine(s["CONFIG_PATH"]!, "services.yaml"), """
                services:
                  - name: outside
                    address: 203.0.113.10
                    port: 9000
                    check: { tcp: true }
                  - name: inside
                    port: 9001
                """);
        });
        var watcher = Watcher(host);

        (await watcher.WaitUntilAsync(s => s.Find("inside") is not null, TimeSpan.FromSeconds(15), default)).ShouldBeTrue("one refused entry must not hold up the rest");
        watcher.Current.Find("outside").ShouldBeNull();
    }
}
