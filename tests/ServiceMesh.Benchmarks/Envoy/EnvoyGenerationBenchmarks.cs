using BenchmarkDotNet.Attributes;
using ServiceMesh.Envoy;

namespace ServiceMesh.Benchmarks.Envoy;

/// <summary>
/// Full regeneration of 1,000 sidecars with 5 upstreams each (issue target: under 500 ms). "cold" is a generator with
/// no memory of earlier passes: it plans, renders all 5,000 files and compares each with the file on disk. "every
/// CDS changed" also replaces 1,000 files (temp file, fsync, rename each). "warm" is the steady state after one change.
/// </summary>
[MemoryDiagnoser]
public class EnvoyGenerationBenchmarks
{
    private BenchmarkMesh _mesh = null!;
    private IReadOnlyList<EnvoyServiceSpec> _specs = null!;
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
        var policies = _mesh.Policies.Reload()!;
        _specs = new EnvoySpecPlanner(9901, "spiffe://lucid.local/", s => $"spiffe://lucid.local/ns/default/dc/lucid-dc/svc/{s}",
            s => new EnvoyTlsPaths($"/c/{s}.crt", $"/c/{s}.key", $"/c/.svid/{s}", "/c/ca.crt", "/c")).Plan(_mesh.Inputs.Current.Members, policies);
    }

    [GlobalCleanup]
    public void Cleanup() => _mesh.Dispose();

    [Benchmark(Description = "render only, one thread (no disk)")]
    public int RenderOneThread()
    {
        var builder = new EnvoyConfigBuilder(new EnvoyFileLayout(_mesh.Options.EnvoyConfigPath));
        var total = 0;
        foreach (var spec in _specs)
            total += builder.Dynamic(spec).Files.Count;
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
}
