using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Configuration;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Envoy.Policies;

namespace ServiceMesh.Benchmarks.Envoy;

/// <summary>An input the benchmark drives directly, standing in for the discovery catalog.</summary>
internal sealed class BenchmarkInputs : IEnvoyInputs
{
    private MeshTopology _current = MeshTopology.Empty;

    public string Name => "benchmark";
    public int Precedence => 0;
    public MeshTopology Current => Volatile.Read(ref _current);
    public event Action<string>? Changed;

    public void Set(MeshTopology topology)
    {
        Volatile.Write(ref _current, topology);
        Changed?.Invoke("benchmark change");
    }
}

/// <summary>A synthetic mesh on a temporary ENVOY_CONFIG_PATH: N services, each calling the next K services.</summary>
internal sealed class BenchmarkMesh : IDisposable
{
    public BenchmarkMesh(int services, int upstreams)
    {
        Root = Directory.CreateTempSubdirectory("envoy-bench-").FullName;
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["CONFIG_PATH"] = Path.Combine(Root, "config"),
            ["CERTIFICATES_PATH"] = Path.Combine(Root, "certificates"),
            ["ENVOY_CONFIG_PATH"] = Path.Combine(Root, "envoy"),
            ["DATA_PATH"] = Path.Combine(Root, "data"),
            ["LOGS_PATH"] = Path.Combine(Root, "logs"),
        };
        Options = MeshConfiguration.Load(environment).Options ?? throw new InvalidOperationException("benchmark settings are invalid");
        Settings = EnvoySettings.From(Options);
        Directory.CreateDirectory(Options.EnvoyConfigPath);
        Directory.CreateDirectory(Options.CertificatesPath);
        Names = [.. Enumerable.Range(0, services).Select(i => $"svc-{i:D4}")];
        Upstreams = upstreams;
        var certificates = ServiceMesh.Certificates.CertificateSettings.From(Options);
        Policies = new PolicyStore(Options.ConfigPath);
        var planner = new EnvoySpecPlanner(Options.EnvoyAdminPort, certificates.TrustDomainId + "/", certificates.SpiffeIdFor, EnvoyExtensions.CertificateTlsPaths(certificates));
        Planner = planner;
        // Certificate files of a production size (about 1 KB of PEM), so planning hashes real files as it does in production.
        var tlsPaths = EnvoyExtensions.CertificateTlsPaths(certificates);
        foreach (var name in Names)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(tlsPaths(name).CertificateChain)!);
            File.WriteAllBytes(tlsPaths(name).CertificateChain, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1100));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(tlsPaths(Names[0]).TrustBundle)!);
        File.WriteAllBytes(tlsPaths(Names[0]).TrustBundle, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1400));
        Generator = NewGenerator();
        Inputs.Set(Topology(0));
    }

    public string Root { get; }
    public MeshOptions Options { get; }
    public EnvoySettings Settings { get; }
    public IReadOnlyList<string> Names { get; }
    public int Upstreams { get; }
    public BenchmarkInputs Inputs { get; } = new();
    public PolicyStore Policies { get; }
    public EnvoyState State { get; } = new();
    public EnvoyGenerator Generator { get; }
    public EnvoySpecPlanner Planner { get; }

    /// <summary>A generator with no memory of earlier passes (nothing rendered, nothing known about the files).</summary>
    public EnvoyGenerator NewGenerator() => new(Settings, Planner, Policies, [Inputs], State, NullLogger<EnvoyGenerator>.Instance, TimeProvider.System);

    /// <summary>
    /// The mesh with every instance address shifted by <paramref name="variant"/>: a change touching every CDS. One host's
    /// port plan: apps on 40000+, upstream listeners on 30000+, public, admin, Prometheus and ready ports allocated.
    /// </summary>
    public MeshTopology Topology(int variant) => new([.. Names.Select((name, i) => new MeshMember(
        name, i % 3 == 0 ? MeshProtocol.Tcp : MeshProtocol.Http, 40000 + i, null,
        [.. Enumerable.Range(1, Upstreams).Select(k => new MeshUpstreamRef(Names[(i + k) % Names.Count], 30000 + (i * Upstreams) + k))],
        [$"10.{variant % 250}.{i / 250}.{i % 250}", $"10.{variant % 250}.{i / 250}.{(i + 1) % 250}"]))]);

    /// <summary>The same mesh with only service 0's instances changed: a change touching the CDS of its callers alone.</summary>
    public MeshTopology WithFirstServiceAt(string address)
    {
        var members = Topology(0).Members.ToList();
        members[0] = members[0] with { PassingAddresses = [address] };
        return new MeshTopology(members);
    }

    public void Dispose()
    {
        Policies.Dispose();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
