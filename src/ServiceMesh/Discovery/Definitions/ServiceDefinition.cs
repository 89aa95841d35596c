using System.Collections.Immutable;
using System.Globalization;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Definitions;

/// <summary>What a service speaks, as Consul's service-defaults name it: http (HTTP/1.1), http2, grpc, tcp.</summary>
internal enum ServiceProtocol { Http, Tcp, Http2, Grpc }

/// <summary>How the registry checks a platform service: GET a path over HTTP, or a TCP connect.</summary>
internal sealed record CheckSpec(string? HttpPath, TimeSpan Interval, TimeSpan Timeout, TimeSpan? DeregisterCriticalServiceAfter);

/// <summary>A local port on which the service's sidecar forwards to another mesh service.</summary>
internal sealed record UpstreamDefinition(string Name, int LocalBindPort);

/// <summary>Sidecar data for the Envoy writer: the public (mTLS) listener port, the upstreams, and the admin, Prometheus
/// and ready ports (null: allocated by the Envoy writer's port plan).</summary>
internal sealed record MeshDefinition(int PublicPort, ImmutableArray<UpstreamDefinition> Upstreams, int? AdminPort = null, int? PrometheusPort = null, int? ReadyPort = null);

/// <summary>One platform service from services.yaml, validated. <see cref="Line"/> points back into the file.</summary>
internal sealed record ServiceDefinition(
    string Name, string Address, int Port, ServiceProtocol Protocol, ImmutableArray<string> Tags, CheckSpec? Check, MeshDefinition? Mesh, int Line)
{
    /// <summary>Meta marking what the preload registered, so services removed from the file are deregistered too.</summary>
    public const string SourceMetaKey = "lucid-source";
    public const string SourceMetaValue = "services.yaml";

    public AgentServiceRegistration ToRegistration() => new()
    {
        Id = Name,
        Name = Name,
        Address = Address,
        Port = Port,
        Tags = Tags,
        Meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SourceMetaKey] = SourceMetaValue,
            ["protocol"] = Protocol.ToString().ToLowerInvariant(),
        },
        Check = Check is null ? null : new AgentServiceCheck
        {
            Name = Check.HttpPath is null ? $"TCP {Name}" : $"HTTP {Name}{Check.HttpPath}",
            Http = Check.HttpPath is null ? null : string.Create(CultureInfo.InvariantCulture, $"http://{HostForUrl}:{Port}{Check.HttpPath}"),
            Tcp = Check.HttpPath is null ? string.Create(CultureInfo.InvariantCulture, $"{HostForUrl}:{Port}") : null,
            Interval = GoDuration.Format(Check.Interval),
            Timeout = GoDuration.Format(Check.Timeout),
            DeregisterCriticalServiceAfter = Check.DeregisterCriticalServiceAfter is { } after ? GoDuration.Format(after) : null,
        },
    };

    private string HostForUrl => Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]" : Address;
}

/// <summary>The platform services from services.yaml (empty when the file is absent).</summary>
internal sealed record ServiceDefinitions(ImmutableArray<ServiceDefinition> Services, string? Path)
{
    public static readonly ServiceDefinitions Empty = new([], null);

    /// <summary>One line for the operator when the file was in the earlier image's format: what it ignored.</summary>
    public string? Warning { get; init; }

    public ServiceDefinition? Find(string name) => Services.FirstOrDefault(s => s.Name == name);
}
