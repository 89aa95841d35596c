using System.Net;
using ServiceMesh.Configuration;

namespace ServiceMesh.Discovery;

/// <summary>What service discovery needs from the runtime's validated options.</summary>
internal sealed record DiscoverySettings
{
    /// <summary>DISCOVERY_MODE: the embedded registry, or an external Consul.</summary>
    public required DiscoveryMode Mode { get; init; }

    /// <summary>SERVICE_MESH_HOST: where the embedded Consul API and DNS listen.</summary>
    public required IPAddress BindAddress { get; init; }

    /// <summary>Where a local client reaches what listens on <see cref="BindAddress"/> (loopback for "any").</summary>
    public required IPAddress LocalAddress { get; init; }

    /// <summary>SERVICE_MESH_API_TOKEN, also required by the embedded Consul API; null: open. Never logged.</summary>
    public string? ApiToken { get; init; }

    public required string ConsulHost { get; init; }
    public required int ConsulPort { get; init; }
    /// <summary>http or https, for DISCOVERY_MODE=consul.</summary>
    public string ConsulScheme { get; init; } = "http";
    /// <summary>Sent as X-Consul-Token to an external Consul; never logged.</summary>
    public string? ConsulToken { get; init; }
    /// <summary>CA certificate (PEM) that an external Consul's https certificate must chain to.</summary>
    public string? ConsulCaFile { get; init; }
    public required string Datacenter { get; init; }

    public required int EmbeddedHttpPort { get; init; }
    public required int EmbeddedHttpsPort { get; init; }
    public required int EmbeddedDnsPort { get; init; }
    /// <summary>TTL of embedded DNS answers (DNS_TTL).</summary>
    public TimeSpan DnsTtl { get; init; }

    /// <summary>The embedded registry's state: DATA_PATH/registry.</summary>
    public required string RegistryFolder { get; init; }

    /// <summary>Where HTTP and TCP health checks may connect (CHECK_ALLOWED_NETWORKS).</summary>
    public AllowedNetworks CheckAllowedNetworks { get; init; } = AllowedNetworks.Default;

    /// <summary>The address the node (and services registered without one) answers on.</summary>
    public string NodeAddress => LocalAddress.ToString();

    public static DiscoverySettings From(MeshOptions options) => new()
    {
        Mode = options.DiscoveryMode,
        BindAddress = options.BindAddress,
        LocalAddress = options.LoopbackAddress,
        ApiToken = options.ApiToken,
        ConsulHost = options.ConsulHost,
        ConsulPort = options.ConsulPort,
        ConsulScheme = options.ConsulScheme,
        ConsulToken = options.ConsulHttpToken,
        ConsulCaFile = options.ConsulCaFile,
        Datacenter = options.ConsulDatacenter,
        EmbeddedHttpPort = options.EmbeddedConsulHttpPort,
        EmbeddedHttpsPort = options.EmbeddedConsulHttpsPort,
        EmbeddedDnsPort = options.EmbeddedDnsPort,
        DnsTtl = options.DnsTtl,
        RegistryFolder = Path.Combine(options.DataPath, "registry"),
        CheckAllowedNetworks = options.CheckAllowedNetworks,
    };
}
