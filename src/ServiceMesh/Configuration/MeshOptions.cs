using System.Net;

namespace ServiceMesh.Configuration;

internal enum LogFormat { Json, Text }

internal enum DiscoveryMode { Embedded, Consul }

/// <summary>Envoy files per service: watched CDS/LDS/SDS files (hot updates), or one static bootstrap (restart to update).</summary>
internal enum EnvoyConfigLayout { Dynamic, Static }

/// <summary>
/// A folder the runtime writes to, with the variable that set it (so errors can name it). <paramref name="ReadBySidecars"/>:
/// sidecars running as another user read files in it, so when the runtime creates it, it is 0755 rather than 0700.
/// </summary>
internal sealed record WritableFolder(string EnvironmentName, string Path, bool ReadBySidecars = false);

/// <summary>The validated runtime settings. Only <see cref="MeshConfiguration"/> creates these.</summary>
internal sealed record MeshOptions
{
    public required IPAddress BindAddress { get; init; }
    public required int HttpPort { get; init; }
    /// <summary>Bearer token for mutating routes; null means they are open. Never logged.</summary>
    public string? ApiToken { get; init; }
    public required LogLevel LogLevel { get; init; }
    public required LogFormat LogFormat { get; init; }
    public required string ConfigPath { get; init; }
    public required string CertificatesPath { get; init; }
    public required string EnvoyConfigPath { get; init; }
    public required string DataPath { get; init; }
    public required string LogsPath { get; init; }
    public required DiscoveryMode DiscoveryMode { get; init; }
    public required string ConsulHost { get; init; }
    public required int ConsulPort { get; init; }
    public required string ConsulDatacenter { get; init; }
    public required int EmbeddedConsulHttpPort { get; init; }
    public required int EmbeddedConsulHttpsPort { get; init; }
    public required int EmbeddedConsulGrpcPort { get; init; }
    public required int EmbeddedDnsPort { get; init; }
    /// <summary>TTL of embedded DNS answers (DNS_TTL, seconds; Consul's default is 0: always ask again).</summary>
    public TimeSpan DnsTtl { get; init; }
    /// <summary>http or https, for DISCOVERY_MODE=consul.</summary>
    public string ConsulScheme { get; init; } = "http";
    /// <summary>Sent as X-Consul-Token to an external Consul; never logged.</summary>
    public string? ConsulHttpToken { get; init; }
    /// <summary>CA certificate (PEM) that an external Consul's https certificate must chain to.</summary>
    public string? ConsulCaFile { get; init; }
    /// <summary>Where HTTP and TCP health checks may connect (CHECK_ALLOWED_NETWORKS).</summary>
    public AllowedNetworks CheckAllowedNetworks { get; init; } = AllowedNetworks.Default;
    /// <summary>Address of a services.yaml entry that names none (SERVICES_DEFAULT_ADDRESS); null: the service's own name.</summary>
    public string? ServicesDefaultAddress { get; init; }
    public required string TrustDomain { get; init; }
    /// <summary>0 when unset.</summary>
    public required int CertValidityDays { get; init; }
    public TimeSpan? CertTtl { get; init; }
    public required int CaValidityDays { get; init; }
    public required KeyAlgorithm CertKeyAlgorithm { get; init; }
    /// <summary>RSA modulus bits; only used when <see cref="CertKeyAlgorithm"/> is RSA.</summary>
    public required int CertKeySize { get; init; }
    public required TimeSpan CaRotationGrace { get; init; }
    /// <summary>Start of the sidecars' allocated port ranges (admin ports bind 127.0.0.1 only).</summary>
    public required int EnvoyAdminPort { get; init; }
    /// <summary>Where the sidecars' Prometheus and ready listeners bind.</summary>
    public IPAddress EnvoyStatsBindAddress { get; init; } = IPAddress.Loopback;
    public required EnvoyConfigLayout EnvoyConfigLayout { get; init; }

    /// <summary>Leaf certificate lifetime: CERT_TTL, else CERT_VALIDITY_DAYS, else 72 h.</summary>
    public TimeSpan CertLifetime => CertTtl ?? (CertValidityDays > 0 ? TimeSpan.FromDays(CertValidityDays) : DefaultCertLifetime);

    public static readonly TimeSpan DefaultCertLifetime = TimeSpan.FromHours(72);

    /// <summary>Every folder the runtime writes; preflight probes exactly these, and nothing else is written.</summary>
    public IReadOnlyList<WritableFolder> WritableFolders =>
    [
        new(MeshSettings.CertificatesPath.EnvironmentName, CertificatesPath, ReadBySidecars: true),
        new(MeshSettings.EnvoyConfigPath.EnvironmentName, EnvoyConfigPath, ReadBySidecars: true),
        new(MeshSettings.DataPath.EnvironmentName, DataPath),
        new(MeshSettings.LogsPath.EnvironmentName, LogsPath),
    ];

    /// <summary>Where a local client (the healthcheck command) reaches the HTTP API.</summary>
    public IPAddress LoopbackAddress =>
        BindAddress.Equals(IPAddress.Any) ? IPAddress.Loopback
        : BindAddress.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
        : BindAddress;
}
