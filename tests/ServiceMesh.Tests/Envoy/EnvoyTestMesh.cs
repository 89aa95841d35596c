using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Certificates;
using ServiceMesh.Configuration;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Envoy.Policies;
using ServiceMesh.Tests.Certificates;
using ServiceMesh.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Tests.Envoy;

/// <summary>An input whose topology the test sets (the real adapters are exercised through the host tests).</summary>
internal sealed class TestInputs(string name = "test", int precedence = 0, bool ready = true) : IEnvoyInputs
{
    private MeshTopology _current = MeshTopology.Empty;

    public string Name => name;
    public int Precedence => precedence;
    public MeshTopology Current => _current;
    public event Action<string>? Changed;
    public Task Ready => ReadySource.Task;
    public TaskCompletionSource ReadySource { get; } = Source(ready);

    private static TaskCompletionSource Source(bool completed)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            source.SetResult();
        }

        return source;
    }

    public void Set(MeshTopology topology)
    {
        _current = topology;
        Changed?.Invoke("test changed the topology");
    }
}

/// <summary>
/// A small mesh on real folders: three services, two upstreams each, real certificates from the certificate
/// manager, and the real generator writing under a temporary ENVOY_CONFIG_PATH.
/// </summary>
internal sealed class EnvoyTestMesh : IDisposable
{
    public static readonly string[] Services = ["api-gateway", "auth-service", "lucid-mongodb"];

    private readonly CertificateFixture _certificates;

    /// <param name="inMemory">Folders on /dev/shm (fsync is free there): for tests that write thousands of files.</param>
    public EnvoyTestMesh(EnvoyConfigLayout layout = EnvoyConfigLayout.Dynamic, string? policies = null, bool inMemory = false)
    {
        var root = inMemory ? TempFolder.InMemoryRoot : null;
        _certificates = new CertificateFixture(root: root);
        Folder = new TempFolder(root);
        var environment = MeshEnvironment.For(Folder);
        environment["CERTIFICATES_PATH"] = _certificates.Folder;
        environment["TRUST_DOMAIN"] = _certificates.Settings.TrustDomain;
        environment["CONSUL_DATACENTER"] = _certificates.Settings.Datacenter;
        environment["ENVOY_CONFIG_LAYOUT"] = layout.ToString().ToLowerInvariant();
        Directory.CreateDirectory(Folder.Combine("config"));
        if (policies is not null)
        {
            WritePolicies(policies);
        }

        var configuration = MeshConfiguration.Load(environment);
        configuration.Problems.ShouldBeEmpty();
        Options = configuration.Options!;
        Settings = EnvoySettings.From(Options);
        Directory.CreateDirectory(Options.EnvoyConfigPath);
        Manager = _certificates.Start();
        Policies = new PolicyStore(Options.ConfigPath);
        var settings = _certificates.Settings;
        var manager = Manager;
        Planner = new EnvoySpecPlanner(Options.EnvoyAdminPort, settings.TrustDomainId + "/", settings.SpiffeIdFor, EnvoyExtensions.CertificateTlsPaths(settings),
            () => manager.RevocationList);
        Generator = new EnvoyGenerator(Settings, Planner, Policies, [Inputs], State, NullLogger<EnvoyGenerator>.Instance, Time);
        Inputs.Set(Topology());
    }

    public TempFolder Folder { get; }
    public MeshOptions Options { get; }
    public EnvoySettings Settings { get; }
    public CertificateManager Manager { get; }
    public CertificateSettings Certificates => _certificates.Settings;
    public PolicyStore Policies { get; }
    public EnvoySpecPlanner Planner { get; }
    public EnvoyGenerator Generator { get; }
    public EnvoyState State { get; } = new();
    public TestInputs Inputs { get; } = new();
    public FakeTimeProvider Time { get; } = new();

    public static MeshTopology Topology(params string[] mongodbAddresses) => new(
    [
        new MeshMember("api-gateway", MeshProtocol.Http, 8080, 21000, [new("auth-service", 9001), new("lucid-mongodb", 9002)], ["10.0.0.10"]),
        new MeshMember("auth-service", MeshProtocol.Http, 8089, 21001, [new("api-gateway", 9003), new("lucid-mongodb", 9004)], ["10.0.0.11", "10.0.0.12"]),
        new MeshMember("lucid-mongodb", MeshProtocol.Tcp, 27017, 21002, [new("api-gateway", 9005), new("auth-service", 9006)],
            mongodbAddresses.Length == 0 ? ["10.0.0.13"] : mongodbAddresses),
    ]);

    /// <summary>One member per protocol: web (HTTP/1.1) calls each of the others.</summary>
    public static MeshTopology ProtocolTopology() => new(
    [
        new MeshMember("web", MeshProtocol.Http, 8080, 21000,
            [new("auth-service", 9001), new("grpc-api", 9002), new("h2-api", 9003), new("lucid-mongodb", 9004)], ["10.0.0.10"]),
        new MeshMember("auth-service", MeshProtocol.Http, 8089, 21001, [], ["10.0.0.11"]),
        new MeshMember("grpc-api", MeshProtocol.Grpc, 50051, 21002, [], ["10.0.0.12"]),
        new MeshMember("h2-api", MeshProtocol.Http2, 8443, 21003, [], ["10.0.0.13"]),
        new MeshMember("lucid-mongodb", MeshProtocol.Tcp, 27017, 21004, [], ["10.0.0.14"]),
    ]);

    /// <summary>Issues (or re-issues: a rotation) a service's certificate through the certificate manager.</summary>
    public Task IssueAsync(string service) => Manager.IssueAsync(service, CancellationToken.None);

    public async Task IssueAllAsync()
    {
        foreach (var service in Services)
        {
            await IssueAsync(service);
        }
    }

    public void WritePolicies(string text) => File.WriteAllText(Folder.Combine("config", PolicyFile.FileName), text);

    public string PathOf(string relative) => Path.Combine(Options.EnvoyConfigPath, relative);

    public string Read(string relative) => File.ReadAllText(PathOf(relative));

    public YamlMappingNode Yaml(string relative)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Read(relative)));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    /// <summary>Every file under ENVOY_CONFIG_PATH, relative, with '/' separators.</summary>
    public IReadOnlyList<string> Files() =>
        [.. Directory.EnumerateFiles(Options.EnvoyConfigPath, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Options.EnvoyConfigPath, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    /// <summary>Marks every file as written long ago, so a later rewrite (a new file renamed in) shows in its timestamp.</summary>
    public void AgeAllFiles()
    {
        foreach (var file in Files())
        {
            File.SetLastWriteTimeUtc(PathOf(file), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }
    }

    public IReadOnlyList<string> FilesRewrittenSinceAged() =>
        [.. Files().Where(f => File.GetLastWriteTimeUtc(PathOf(f)).Year > 2001)];

    public void Dispose()
    {
        Policies.Dispose();
        _certificates.Dispose();
        Folder.Dispose();
    }
}

/// <summary>Navigation over parsed YAML for assertions.</summary>
internal static class YamlNav
{
    public static YamlNode At(this YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            var mapping = node.ShouldBeOfType<YamlMappingNode>($"expected a mapping before '{key}'");
            mapping.Children.TryGetValue(new YamlScalarNode(key), out var next).ShouldBeTrue($"missing key '{key}'");
            node = next!;
        }
        return node;
    }

    public static bool Has(this YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.ContainsKey(new YamlScalarNode(key));

    public static string Text(this YamlNode node, params string[] path) => ((YamlScalarNode)node.At(path)).Value!;

    public static IReadOnlyList<YamlNode> Items(this YamlNode node, params string[] path) => ((YamlSequenceNode)node.At(path)).Children.ToList();

    public static IReadOnlyList<YamlMappingNode> Resources(this YamlMappingNode document) => [.. document.Items("resources").Cast<YamlMappingNode>()];

    /// <summary>Every scalar anywhere under the node, with its key, for cross-reference checks.</summary>
    public static IEnumerable<(string Key, string Value)> Scalars(this YamlNode node, string key = "")
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                yield return (key, scalar.Value ?? "");
                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence.Children)
                {
                    foreach (var found in item.Scalars(key))
                    {
                        yield return found;
                    }
                }

                break;
            case YamlMappingNode mapping:
                foreach (var (k, v) in mapping.Children)
                {
                    foreach (var found in v.Scalars(((YamlScalarNode)k).Value ?? ""))
                    {
                        yield return found;
                    }
                }

                break;
        }
    }

    /// <summary>Every mapping anywhere under the node that has the given key.</summary>
    public static IEnumerable<YamlMappingNode> MappingsWith(this YamlNode node, string key)
    {
        if (node is YamlMappingNode mapping)
        {
            if (mapping.Children.ContainsKey(new YamlScalarNode(key)))
            {
                yield return mapping;
            }

            foreach (var child in mapping.Children.Values)
            {
                foreach (var found in child.MappingsWith(key))
                {
                    yield return found;
                }
            }
        }
        else if (node is YamlSequenceNode sequence)
        {
            foreach (var child in sequence.Children)
            {
                foreach (var found in child.MappingsWith(key))
                {
                    yield return found;
                }
            }
        }
    }
}
