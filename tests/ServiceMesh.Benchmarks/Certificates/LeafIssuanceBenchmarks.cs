using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Certificates;

namespace ServiceMesh.Benchmarks.Certificates;

/// <summary>
/// One leaf: ECDSA P-256 key generation, signing and PEM/PKCS#8 encoding, without and with the atomic file write
/// (folder swap with fsyncs). OperationsPerInvoke turns the mean into a per-leaf time; leaves/s = 1 s / mean.
/// </summary>
[MemoryDiagnoser]
public class LeafIssuanceBenchmarks
{
    private const int Batch = 100;
    private string _folder = "";
    private CertificateSettings _settings = null!;
    private CertificateAuthority _authority = null!;
    private SvidIssuer _issuer = null!;
    private SvidFileStore _store = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("mesh-bench-").FullName;
        _settings = new CertificateSettings { Folder = _folder, TrustDomain = "lucid.local", Datacenter = "lucid-dc" };
        _authority = CertificateAuthority.Create(_settings, DateTimeOffset.UtcNow);
        _issuer = new SvidIssuer(_settings);
        _store = new SvidFileStore(_folder, CertificateFileSystem.Instance);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int IssueLeaf_NoWrite()
    {
        var bytes = 0;
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Batch; i++)
        {
            using var svid = _issuer.Issue(_authority, "api-gateway", now);
            bytes += svid.ChainPem.Length;
        }
        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void IssueLeaf_WithAtomicWrite()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Batch; i++)
        {
            using var svid = _issuer.Issue(_authority, $"svc-{_next++ % 50}", now);
            _store.Write(svid);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _authority.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>
/// Renewal of 1,000 services through the manager (the path the renewal loop takes: per-service lock, issue, atomic
/// write, state, event), all due at once. The issue's target is under 1 s of CPU for the thousand.
/// </summary>
public class RenewalBenchmarks
{
    private const int Services = 1000;
    private string _folder = "";
    private ServiceProvider _services = null!;
    private ManualClock _clock = null!;
    private CertificateManager _manager = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("mesh-renew-").FullName;
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _clock = new ManualClock(DateTimeOffset.UtcNow);
        var settings = new CertificateSettings { Folder = _folder, TrustDomain = "lucid.local", Datacenter = "lucid-dc" };
        _manager = new CertificateManager(settings, CertificateFileSystem.Instance, _clock, new RenewalSchedule(new Random(1)),
            new CertificateEventHub(), new CertificateMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<CertificateManager>.Instance);
        _manager.Start();
        for (var i = 0; i < Services; i++)
        {
            _manager.IssueAsync($"svc-{i}", CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    private readonly List<TimeSpan> _cpu = [];
    private TimeSpan _cpuAtStart;

    /// <summary>Moves the clock past every leaf's 90% point, so each renewal round renews all thousand.</summary>
    [IterationSetup]
    public void MakeAllDue()
    {
        _clock.Advance(TimeSpan.FromHours(72));
        _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
    }

    [Benchmark]
    public Task Renew1000Services() => _manager.RenewDueAsync(CancellationToken.None);

    /// <summary>BenchmarkDotNet reports elapsed time; the target is CPU time, so each iteration's process CPU is recorded too.</summary>
    [IterationCleanup]
    public void RecordCpu() => _cpu.Add(Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart);

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_cpu.Count > 0)
        {
            Console.WriteLine($"// CPU time per Renew1000Services: mean {_cpu.Average(c => c.TotalMilliseconds):F0} ms, min {_cpu.Min().TotalMilliseconds:F0} ms over {_cpu.Count} iterations");
        }

        _manager.Dispose();
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
