using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Envoy;

namespace ServiceMesh.Benchmarks.Envoy;

/// <summary>
/// Latency from a catalog change (the input's Changed event) to the renamed file on disk, through the real
/// generation loop with its debounce (issue target: p99 under 100 ms). One invocation = one change of service 0's
/// instances, observed as the rename of a caller's cds.yaml by a FileSystemWatcher.
/// </summary>
[Config(typeof(PercentilesConfig))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 5, iterationCount: 200, invocationCount: 1)]
public class ChangeToDiskLatencyBenchmarks
{
    private BenchmarkMesh _mesh = null!;
    private EnvoyGenerationService _service = null!;
    private FileSystemWatcher _watcher = null!;
    private TaskCompletionSource _renamed = null!;
    private int _change;

    [Params(100, 1000)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _mesh = new BenchmarkMesh(Services, upstreams: 5);
        var metrics = new EnvoyMetrics(new NoMeterFactory());
        _service = new EnvoyGenerationService(_mesh.Generator, metrics, _mesh.Policies, NullLogger<EnvoyGenerationService>.Instance, TimeProvider.System);
        _service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _service.RequestAndWaitAsync("warm", CancellationToken.None).GetAwaiter().GetResult();
        // The last service lists service 0 as its first upstream (each service calls the next five).
        var caller = Path.Combine(_mesh.Options.EnvoyConfigPath, _mesh.Names[^1]);
        _watcher = new FileSystemWatcher(caller, "cds.yaml") { NotifyFilter = NotifyFilters.FileName };
        _watcher.Renamed += (_, _) => _renamed?.TrySetResult();
        _watcher.EnableRaisingEvents = true;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _watcher.Dispose();
        _service.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _service.Dispose();
        _mesh.Dispose();
    }

    [Benchmark(Description = "catalog change -> renamed cds.yaml")]
    public void ChangeToDisk()
    {
        _renamed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _mesh.Inputs.Set(_mesh.WithFirstServiceAt($"10.99.{++_change / 250 % 250}.{_change % 250}"));
        if (!_renamed.Task.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("the change did not reach disk within 10 s");
        }
    }

    private sealed class NoMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);
        public void Dispose() { }
    }
}
