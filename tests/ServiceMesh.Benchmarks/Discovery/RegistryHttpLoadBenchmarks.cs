using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using DnsClient;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Discovery.Server;

namespace ServiceMesh.Benchmarks.Discovery;

/// <summary>
/// Issue #6 over loopback: the embedded Consul HTTP API and DNS with 1,000 services and 100 watchers in ?index=
/// blocking queries (targets: 5,000 registrations/s, wake-up p99 under 10 ms). One job, as the wake-up needs one
/// invocation per sample; OperationsPerInvoke makes throughput means per operation (per second = 1 s / mean).
/// </summary>
[Config(typeof(PercentilesConfig))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 5, iterationCount: 200, invocationCount: 1)]
public class RegistryHttpLoadBenchmarks
{
    private const int Services = 1000;
    private const int Watchers = 100;
    private const int Spread = Services / Watchers; // watcher k watches svc-(k*10)
    private const int Writers = 16;
    private const int DnsQueries = 200;
    private const int DnsInFlight = 4;
    private const string DnsName = "svc-500.service.consul";

    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<long>?[] _pending = new TaskCompletionSource<long>?[Watchers];
    private readonly List<double> _wakeMilliseconds = [];
    private string _folder = "";
    private RegistryLog _log = null!;
    private RegistryStore _store = null!;
    private EmbeddedConsulServer _consul = null!;
    private EmbeddedDnsServer _dns = null!;
    private HttpClient _writerHttp = null!;
    private HttpClient _readerHttp = null!;
    private ConsulClient _writer = null!;
    private ConsulClient _reader = null!;
    private LookupClient _resolver = null!;
    private Task _watchers = Task.CompletedTask;
    private Task _put = Task.CompletedTask;
    private int _round;
    private int _changes;
    private int _wakes;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Services, Description = "HTTP registrations/s (16 clients, fsync'd)")]
    public Task RegisterThousandOverHttp() => RegisterAllAsync(Interlocked.Increment(ref _round));

    [IterationSetup(Target = nameof(RegistrationWakesWatcher))]
    public void BeforeChange()
    {
        // Every watcher is back in its blocking query, and no watcher of an unchanged service has woken.
        UntilAllWatchersBlockedAsync().GetAwaiter().GetResult();
        if (Volatile.Read(ref _wakes) != _changes)
        {
            throw new InvalidOperationException($"{_wakes} watcher wake-ups for {_changes} changes: a watcher of an unchanged service woke");
        }
    }

    /// <summary>From just before the PUT until the watcher's blocking query has returned with the new index.</summary>
    [Benchmark(Description = "registration -> watcher wake-up (100 watchers)")]
    public async Task RegistrationWakesWatcher()
    {
        var k = _changes++ % Watchers;
        var woken = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pending[k], woken);
        var start = Stopwatch.GetTimestamp();
        _put = _writer.RegisterAsync(Registration(k * Spread, Interlocked.Increment(ref _round)), default);
        var woke = await woken.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _wakeMilliseconds.Add(Stopwatch.GetElapsedTime(start, woke).TotalMilliseconds);
    }

    // The PUT's own answer is not part of the wake-up; it only has to have succeeded before the next change.
    [IterationCleanup(Target = nameof(RegistrationWakesWatcher))]
    public void AfterChange() => _put.GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = DnsQueries, Description = "DNS SRV queries/s (UDP, 4 in flight)")]
    public Task DnsSrvOverUdp() =>
        Task.WhenAll(Enumerable.Range(0, DnsInFlight).Select(async _ =>
        {
            for (var q = 0; q < DnsQueries / DnsInFlight; q++)
            {
                var response = await _resolver.QueryAsync(DnsName, QueryType.SRV);
                if (response.HasError || response.Answers.Count == 0)
                {
                    throw new InvalidOperationException($"SRV {DnsName}: {response.ErrorMessage}, {response.Answers.Count} answers");
                }
            }
        }));

    private async Task SetupAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sm-bench-" + Guid.NewGuid().ToString("N"));
        _log = RegistryLog.Open(_folder, NullLogger.Instance);
        _store = new RegistryStore(_log, TimeProvider.System);
        var httpPort = LoopbackPort.Free();
        _consul = new EmbeddedConsulServer(_store, IPAddress.Loopback, httpPort, tls: null, token: null, NullLoggerFactory.Instance);
        await _consul.StartAsync(default);
        var dnsPort = LoopbackPort.Free();
        _dns = new EmbeddedDnsServer(new DnsResponder(_store, TimeSpan.Zero), IPAddress.Loopback, dnsPort, NullLogger<EmbeddedDnsServer>.Instance);
        await _dns.StartAsync(default);
        // Separate connection pools: writes never queue behind the 100 connections held by blocking queries.
        var endpoint = new ConsulEndpoint(new Uri($"http://127.0.0.1:{httpPort}/"));
        _writerHttp = ConsulClient.CreateHttpClient(endpoint);
        _readerHttp = ConsulClient.CreateHttpClient(endpoint);
        _writer = new ConsulClient(_writerHttp, endpoint);
        _reader = new ConsulClient(_readerHttp, endpoint);
        await RegisterAllAsync(0);
        _watchers = Task.WhenAll(Enumerable.Range(0, Watchers).Select(k => WatchAsync(k, _stop.Token)));
        await UntilAllWatchersBlockedAsync();
        _resolver = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, dnsPort))
        {
            UseCache = false, Retries = 0, Timeout = TimeSpan.FromSeconds(2), ThrowDnsErrors = false,
        });
    }

    private async Task CleanupAsync()
    {
        if (_wakeMilliseconds.Count > 0)
        {
            // Cross-check without the hop back to BenchmarkDotNet's thread (warm-up iterations included).
            var sorted = _wakeMilliseconds.Order().ToArray();
            Console.WriteLine($"// wake-up measured in the watcher: n={sorted.Length} p50={Percentile(sorted, 0.50):0.000} ms p99={Percentile(sorted, 0.99):0.000} ms max={sorted[^1]:0.000} ms");
        }
        await _stop.CancelAsync();
        await _watchers;
        await _dns.StopAsync(default);
        _dns.Dispose();
        await _consul.StopAsync(default);
        await _consul.DisposeAsync();
        _writerHttp.Dispose();
        _readerHttp.Dispose();
        await _log.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>What a Consul watch does: read, then block on the returned index; completes the pending change on a new index.</summary>
    private async Task WatchAsync(int k, CancellationToken cancellationToken)
    {
        var name = $"svc-{k * Spread}";
        ulong index = 0;
        try
        {
            while (true)
            {
                var result = await _reader.HealthServiceAsync(name, passingOnly: false, index == 0 ? null : new QueryOptions(index, ConsulHttpApi.MaxWait), cancellationToken);
                var woke = Stopwatch.GetTimestamp();
                if (index != 0 && result.Index > index)
                {
                    Interlocked.Increment(ref _wakes);
                    Interlocked.Exchange(ref _pending[k], null)?.TrySetResult(woke);
                }
                index = BlockingIndex.Next(index, result.Index);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task UntilAllWatchersBlockedAsync()
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        while (_store.BlockedQueries < Watchers)
        {
            if (Stopwatch.GetTimestamp() > deadline || _watchers.IsFaulted)
            {
                throw new TimeoutException($"only {_store.BlockedQueries} of {Watchers} watchers blocked", _watchers.Exception);
            }

            await Task.Delay(1);
        }
    }

    private Task RegisterAllAsync(int round) =>
        Task.WhenAll(Enumerable.Range(0, Writers).Select(async w =>
        {
            for (var i = w; i < Services; i += Writers)
            {
                await _writer.RegisterAsync(Registration(i, round), default);
            }
        }));

    /// <summary>A new address every round, so each registration is a real change that moves the index.</summary>
    private static AgentServiceRegistration Registration(int i, int round) =>
        new() { Id = $"svc-{i}", Name = $"svc-{i}", Address = $"10.{round / 62500 % 250}.{round / 250 % 250}.{round % 250 + 1}", Port = 8080, Tags = ["bench"] };

    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
