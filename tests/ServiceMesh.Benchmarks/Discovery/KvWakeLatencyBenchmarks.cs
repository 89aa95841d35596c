using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Benchmarks.Discovery;

/// <summary>
/// Blocking KV wake-up: 100 blocking queries on one key (consul-template's watch) and 1,000 more on other keys; one
/// invocation = a durable put of the watched key until all 100 of its watchers have returned. p99 over 200 events.
/// </summary>
[Config(typeof(PercentilesConfig))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 10, iterationCount: 200, invocationCount: 1)]
public class KvWakeLatencyBenchmarks
{
    private const int Watchers = 100;
    private const int Bystanders = 1000;
    private string _folder = "";
    private RegistryLog _log = null!;
    private RegistryStore _store = null!;
    private readonly CancellationTokenSource _stop = new();
    private Task[] _waiting = [];
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sm-bench-kvwake-" + Guid.NewGuid().ToString("N"));
        _log = RegistryLog.Open(_folder, NullLogger.Instance);
        _store = new RegistryStore(_log, TimeProvider.System);
        Task.WhenAll(Enumerable.Range(0, Bystanders).Select(i => _store.PutKvAsync($"other/{i}", [1], 0))).GetAwaiter().GetResult();
        _store.PutKvAsync("watched", [0], 0).GetAwaiter().GetResult();
        // Watchers on other keys wake with every KV write and go back to waiting: the cost the watched key's wake-up carries.
        for (var i = 0; i < Bystanders; i++)
        {
            var key = $"other/{i}";
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var index = _store.KvChangeIndex(key, recurse: false);
                    await _store.WaitAsync(ChangeSignals.Kv, index, TimeSpan.FromMinutes(10), _stop.Token, () => _store.KvChangeIndex(key, recurse: false));
                }
            });
        }
    }

    [IterationSetup]
    public void StartWatchers()
    {
        var index = _store.KvChangeIndex("watched", recurse: false);
        _waiting = [.. Enumerable.Range(0, Watchers).Select(_ =>
            _store.WaitAsync(ChangeSignals.Kv, index, TimeSpan.FromSeconds(30), default, () => _store.KvChangeIndex("watched", recurse: false)))];
    }

    [Benchmark(Description = "KV put -> 100 blocking watchers of that key returned")]
    public async Task PutWakesWatchers()
    {
        await _store.PutKvAsync("watched", BitConverter.GetBytes(Interlocked.Increment(ref _round)), 0);
        await Task.WhenAll(_waiting);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        _store.Dispose();
        _log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
        _stop.Dispose();
    }
}
