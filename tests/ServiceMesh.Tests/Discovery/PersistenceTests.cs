using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery;

public sealed class PersistenceTests
{
    [Fact]
    public async Task KilledProcess_AcknowledgedRegistrations_PresentAfterRestart()
    {
        using var folder = new TempFolder();
        var environment = MeshEnvironment.For(folder);
        var consulPort = int.Parse(environment["EMBEDDED_CONSUL_HTTP_PORT"]!, CultureInfo.InvariantCulture);
        var endpoint = new ConsulEndpoint(new Uri($"http://127.0.0.1:{consulPort}/"));
        var consul = new ConsulClient(ConsulClient.CreateHttpClient(endpoint), endpoint);

        using (var first = MeshProcess.Start(environment))
        {
            await HttpWaits.WaitForListeningAsync(consulPort, first, TimeSpan.FromSeconds(60));
            for (var i = 0; i < 50; i++)
            {
                await consul.RegisterAsync(new AgentServiceRegistration { Id = $"svc-{i}", Name = "durable", Port = 10000 + i }, default);
            }

            await consul.KvPutAsync("kept", [1, 2, 3], default);
            first.Kill(); // SIGKILL right after the last acknowledgement: no shutdown, no flush
        }

        using var second = MeshProcess.Start(environment);
        await HttpWaits.WaitForListeningAsync(consulPort, second, TimeSpan.FromSeconds(60));
        var instances = await consul.CatalogServiceAsync("durable", null, default);
        instances.Value.Count.ShouldBe(50);
        (await consul.KvGetAsync("kept", default)).ShouldBe(new byte[] { 1, 2, 3 });
    }

    [Fact]
    public async Task Open_TornLastRecord_CutOffAndEarlierRecordsKept()
    {
        using var folder = new TempFolder();
        await using (var log = RegistryLog.Open(folder.Path, NullLogger.Instance))
        {
            var store = new RegistryStore(log, TimeProvider.System);
            (await store.RegisterAsync(new AgentServiceRegistration { Name = "a", Port = 1 })).ShouldBeNull();
            (await store.RegisterAsync(new AgentServiceRegistration { Name = "b", Port = 2 })).ShouldBeNull();
        }
        var path = Path.Combine(folder.Path, RegistryLog.LogFileName);
        var whole = new FileInfo(path).Length;
        await using (var file = new FileStream(path, FileMode.Append))
        {
            file.Write([0x40, 0x00, 0x00, 0x00, 0x01, 0x02]); // a header promising 64 bytes, then the crash
        }

        await using var reopened = RegistryLog.Open(folder.Path, NullLogger.Instance);
        var recovered = new RegistryStore(reopened, TimeProvider.System);

        recovered.CatalogServices().Services.Keys.ShouldBe(["a", "b"]);
        new FileInfo(path).Length.ShouldBe(whole);
    }

    [Fact]
    public async Task Compaction_ManyChanges_StateAndIndexSurviveReopen()
    {
        using var folder = new TempFolder();
        ulong index;
        await using (var log = RegistryLog.Open(folder.Path, NullLogger.Instance, compactAfter: 10))
        {
            var store = new RegistryStore(log, TimeProvider.System);
            for (var i = 0; i < 40; i++)
            {
                await store.RegisterAsync(new AgentServiceRegistration { Id = $"s{i % 5}", Name = $"svc{i % 5}", Port = 1000 + i });
            }

            await store.DeregisterAsync("s4");
            index = store.Index;
        }
        File.Exists(Path.Combine(folder.Path, RegistryLog.SnapshotFileName)).ShouldBeTrue();

        await using var reopened = RegistryLog.Open(folder.Path, NullLogger.Instance);
        var recovered = new RegistryStore(reopened, TimeProvider.System);

        recovered.CatalogServices().Services.Keys.ShouldBe(["svc0", "svc1", "svc2", "svc3"]);
        recovered.Instances("svc3").Instances.Single().Service.Registration.Port.ShouldBe(1038);
        recovered.Index.ShouldBeGreaterThanOrEqualTo(index);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Compaction_NewFolder_LogSnapshotAndFolderAreTheMeshUsersAlone()
    {
        using var folder = new TempFolder();
        var registry = folder.Combine("data", "registry");
        await using (var log = RegistryLog.Open(registry, NullLogger.Instance, compactAfter: 2))
        {
            var store = new RegistryStore(log, TimeProvider.System);
            for (var i = 0; i < 4; i++)
            {
                await store.PutKvAsync($"secret-{i}", [1], 0);
            }
        }

        File.GetUnixFileMode(Path.Combine(registry, RegistryLog.LogFileName)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(Path.Combine(registry, RegistryLog.SnapshotFileName)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(registry).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.GetUnixFileMode(folder.Combine("data")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public async Task Reopen_RegistrationWithProxyAndWeights_FieldsReplayedVerbatim()
    {
        using var folder = new TempFolder();
        var proxy = System.Text.Json.JsonDocument.Parse("""{"DestinationServiceName":"web","Upstreams":[{"DestinationName":"db","LocalBindPort":9191}]}""").RootElement;
        await using (var log = RegistryLog.Open(folder.Path, NullLogger.Instance))
        {
            await new RegistryStore(log, TimeProvider.System).RegisterAsync(new AgentServiceRegistration
            {
                Id = "web-proxy", Name = "web-sidecar-proxy", Port = 21000, Kind = "connect-proxy", Proxy = proxy,
                Weights = new ServiceWeights { Passing = 10, Warning = 2 },
            });
        }

        await using var reopened = RegistryLog.Open(folder.Path, NullLogger.Instance);
        var replayed = new RegistryStore(reopened, TimeProvider.System).AgentServices().Single().Registration;

        replayed.Kind.ShouldBe("connect-proxy");
        replayed.Weights.ShouldBe(new ServiceWeights { Passing = 10, Warning = 2 });
        replayed.Proxy!.Value.GetRawText().ShouldBe(proxy.GetRawText());
    }

    [Fact]
    public async Task Reopen_CasAndRecursiveDeletesInTheLog_ReplayReachesTheSameKeys()
    {
        using var folder = new TempFolder();
        string[] live;
        await using (var log = RegistryLog.Open(folder.Path, NullLogger.Instance))
        {
            var store = new RegistryStore(log, TimeProvider.System);
            (await store.PutKvAsync("app/a", [1], 0, cas: 0)).ShouldBeTrue();
            (await store.PutKvAsync("app/a", [2], 0, cas: 0)).ShouldBeFalse("refused, yet in the log: replay must refuse it too");
            await store.PutKvAsync("app/b/c", [3], 0);
            await store.PutKvAsync("keep", [4], 0);
            (await store.DeleteKvAsync("app/b", recurse: true)).ShouldBeTrue();
            live = [.. store.Kv("", recurse: true).Pairs.Select(p => $"{p.Key}={p.Value[0]}@{p.ModifyIndex}")];
        }

        await using var reopened = RegistryLog.Open(folder.Path, NullLogger.Instance);
        var replayed = new RegistryStore(reopened, TimeProvider.System).Kv("", recurse: true).Pairs.Select(p => $"{p.Key}={p.Value[0]}@{p.ModifyIndex}");

        replayed.ShouldBe(live);
        live.Select(l => l.Split('@')[0]).ShouldBe(["app/a=1", "keep=4"]);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Open_LogLeftWorldReadable_MadePrivate()
    {
        using var folder = new TempFolder();
        await using (var log = RegistryLog.Open(folder.Path, NullLogger.Instance))
        {
            await new RegistryStore(log, TimeProvider.System).PutKvAsync("secret", [1], 0);
        }

        var path = Path.Combine(folder.Path, RegistryLog.LogFileName);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using (RegistryLog.Open(folder.Path, NullLogger.Instance))
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Append_DiskFullMidFrame_RefusedThenNextWriteLeavesNoTornBytes(bool cutBackFailsToo)
    {
        using var folder = new TempFolder();
        var disk = new InjectedDisk();
        var path = Path.Combine(folder.Path, RegistryLog.LogFileName);
        await using (var log = RegistryLog.Open(folder.Path, NullLogger.Instance, openLog: disk.Open))
        {
            var store = new RegistryStore(log, TimeProvider.System);
            (await store.RegisterAsync(new AgentServiceRegistration { Name = "a", Port = 1 })).ShouldBeNull();
            var afterA = new FileInfo(path).Length;

            disk.Full = true;
            disk.CutBackFails = cutBackFailsToo;
            var refused = await Should.ThrowAsync<IOException>(() => store.RegisterAsync(new AgentServiceRegistration { Name = "b", Port = 2 }));
            refused.Message.ShouldContain("registry state could not be written");
            new FileInfo(path).Length.ShouldBe(cutBackFailsToo ? afterA + disk.HalfWritten : afterA, "a refused frame is cut back when the disk allows it");

            disk.Full = false;
            disk.CutBackFails = false;
            (await store.RegisterAsync(new AgentServiceRegistration { Name = "c", Port = 3 })).ShouldBeNull();
            File.Exists(Path.Combine(folder.Path, RegistryLog.SnapshotFileName)).ShouldBe(cutBackFailsToo, "only torn bytes left in the log make the next write start with a snapshot");
        }

        var (_, validBytes, length) = RegistryLog.ReadFrames(File.ReadAllBytes(path));
        validBytes.ShouldBe(length, "no torn frame stays in front of later records");
        await using var reopened = RegistryLog.Open(folder.Path, NullLogger.Instance);
        var recovered = new RegistryStore(reopened, TimeProvider.System);
        string.Join(",", recovered.CatalogServices().Services.Keys).ShouldBe("a,c", "the refused \"b\" was never applied, in memory or on disk");
    }
}
