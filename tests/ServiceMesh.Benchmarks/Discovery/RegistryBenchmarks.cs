using BenchmarkDotNet.Attributes;
using Makaretu.Dns;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Discovery.Server;

namespace ServiceMesh.Benchmarks.Discovery;

/// <summary>
/// The embedded registry with 1,000 services: durable registrations (fsync'd group commit, 1,000 concurrent per
/// invocation; registrations/s = 1 s / mean), a change waking 100 blocked watchers of one service, and one DNS SRV
/// answer. OperationsPerInvoke makes each mean a per-operation time.
/// </summary>
[MemoryDiagnoser]
public class RegistryBenchmarks
{
    private const int Services = 1000;
    private const int Watchers = 100;
    private string _folder = "";
    private RegistryLog _log = null!;
    private RegistryStore _store = null!;
    private DnsResponder _dns = null!;
    private byte[] _srvQuery = [];
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sm-bench-" + Guid.NewGuid().ToString("N"));
        _log = RegistryLog.Open(_folder, NullLogger.Instance);
        _store = new RegistryStore(_log, TimeProvider.System);
        Task.WhenAll(Enumerable.Range(0, Services).Select(i => _store.RegisterAsync(Registration(i, 0)))).GetAwaiter().GetResult();
        _dns = new DnsResponder(_store, TimeSpan.Zero);
        var query = new Message { Id = 1, RD = true };
        query.Questions.Add(new Question { Name = "svc-500.service.consul", Type = DnsType.SRV });
        _srvQuery = query.ToByteArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Services)]
    public Task RegisterThousandConcurrently()
    {
        var round = Interlocked.Increment(ref _round);
        return Task.WhenAll(Enumerable.Range(0, Services).Select(i => _store.RegisterAsync(Registration(i, round))));
    }

    /// <summary>Time from a registration until all 100 blocking queries on that service have returned.</summary>
    [Benchmark]
    public async Task ChangeWakesHundredWatchers()
    {
        var index = _store.TopicIndex(ChangeSignals.Service("svc-7"));
        var waiting = Enumerable.Range(0, Watchers).Select(_ => _store.WaitAsync(ChangeSignals.Service("svc-7"), index, TimeSpan.FromSeconds(30), default)).ToArray();
        await _store.RegisterAsync(Registration(7, Interlocked.Increment(ref _round)));
        await Task.WhenAll(waiting);
    }

    [Benchmark]
    public byte[] DnsSrvAnswer() => _dns.Answer(_srvQuery, udp: true);

    private static AgentServiceRegistration Registration(int i, int round) =>
        new() { Id = $"svc-{i}", Name = $"svc-{i}", Address = "10.0.0.1", Port = 1000 + round % 50000, Tags = ["bench"] };
}
