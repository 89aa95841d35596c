using BenchmarkDotNet.Attributes;
using ServiceMesh.Envoy.Output;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Envoy.Policies;
using ServiceMesh.Envoy.Rendering;

namespace ServiceMesh.Benchmarks.Envoy;

/// <summary>
/// Full regeneration of 1,000 sidecars with 5 upstreams each (target: under 500 ms). "cold": no memory of earlier
/// passes, renders all 5,000 files and compares each with disk; "every CDS changed" also replaces 1,000 files; "warm":
/// steady state after one change. The phases and "one upstream changed" show where time goes.
/// </summary>
[MemoryDiagnoser]
public class EnvoyGenerationBenchmarks
{
    private BenchmarkMesh _mesh = null!;
    private IReadOnlyList<EnvoyServiceSpec> _specs = null!;
    private IReadOnlyList<EnvoyServiceSpec> _again = null!;
    private MeshPolicies _policies = null!;
    private int _variant;

    [Params(1000)]
    public int Services { get; set; }

    [Params(5)]
    public int Upstreams { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _mesh = new BenchmarkMesh(Services, Upstreams);
        _mesh.Generator.Generate();
        _policies = _mesh.Policies.Reload()!;
        _specs = _mesh.Planner.Plan(_mesh.Inputs.Current.Members, _policies);
        _again = _mesh.Planner.Plan(_mesh.Inputs.Current.Members, _policies);
    }

    [GlobalCleanup]
    public void Cleanup() => _mesh.Dispose();

    [Benchmark(Description = "render only, one thread (no disk)")]
    public int RenderOneThread()
    {
        var builder = new EnvoyConfigBuilder(new EnvoyFileLayout(_mesh.Options.EnvoyConfigPath));
        var total = 0;
        foreach (var spec in _specs)
        {
            total += builder.Dynamic(spec).Files.Count;
        }

        return total;
    }

    [Benchmark(Description = "full generation, cold (plan+render+compare all)")]
    public int GenerateCold() => _mesh.NewGenerator().Generate()!.Result.FilesUnchanged;

    [Benchmark(Description = "full generation, every CDS changed (1000 fsync+rename)")]
    public int GenerateEveryCdsChanged()
    {
        _mesh.Inputs.Set(_mesh.Topology(++_variant));
        return _mesh.Generator.Generate()!.Result.FilesWritten;
    }

    [Benchmark(Description = "generation, warm, nothing changed")]
    public int GenerateWarmUnchanged() => _mesh.Generator.Generate()!.Result.FilesUnchanged;

    [Benchmark(Description = "plan (specs of all sidecars, TLS file versions)")]
    public int Plan() => _mesh.Planner.Plan(_mesh.Inputs.Current.Members, _policies).Count;

    [Benchmark(Description = "compare all specs with the last plan")]
    public int Compare()
    {
        var equal = 0;
        for (var i = 0; i < _specs.Count; i++)
        {
            equal += _specs[i].Equals(_again[i]) ? 1 : 0;
        }

        return equal;
    }

    [Benchmark(Description = "generation, one upstream's instances changed")]
    public int OneUpstreamChanged()
    {
        _mesh.Inputs.Set(_mesh.WithFirstServiceAt($"10.99.0.{++_variant % 250}"));
        return _mesh.Generator.Generate()!.Result.FilesWritten;
    }
}
