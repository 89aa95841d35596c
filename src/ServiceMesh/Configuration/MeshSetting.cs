namespace ServiceMesh.Configuration;

/// <summary>One setting: the Lucid environment variable, its key in service-mesh.yaml and its default.</summary>
/// <param name="Secret">Never echoed back, not even in an error line.</param>
/// <param name="Aliases">Older names, still read; one set to another value than the new name or an alias: error.</param>
internal sealed record MeshSetting(string EnvironmentName, string? YamlKey, string Default, bool Secret = false, IReadOnlyList<string>? Aliases = null)
{
    /// <summary>The new name first, then the earlier ones.</summary>
    public IEnumerable<string> Names => Aliases is null ? [EnvironmentName] : [EnvironmentName, .. Aliases];
}

/// <summary>Every setting the runtime reads. The environment variable names are Lucid's and stay stable.</summary>
internal static class MeshSettings
{
    public static readonly MeshSetting Host = new("SERVICE_MESH_HOST", "server.host", "0.0.0.0");
    public static readonly MeshSetting HttpPort = new("HTTP_PORT", "server.http_port", "8088");
    public static readonly MeshSetting ApiToken = new("SERVICE_MESH_API_TOKEN", "server.api_token", "", Secret: true);
    public static readonly MeshSetting LogLevel = new("LOG_LEVEL", "logging.level", "INFO");
    public static readonly MeshSetting LogFormat = new("LOG_FORMAT", "logging.format", "json");
    public static readonly MeshSetting ConfigPath = new("CONFIG_PATH", null, "/app/config");
    public static readonly MeshSetting CertificatesPath = new("CERTIFICATES_PATH", "paths.certificates", "/app/certificates");
    public static readonly MeshSetting EnvoyConfigPath = new("ENVOY_CONFIG_PATH", "paths.envoy_configs", "/app/envoy-configs");
    public static readonly MeshSetting DataPath = new("DATA_PATH", "paths.data", "/app/data");
    public static readonly MeshSetting LogsPath = new("LOGS_PATH", "paths.logs", "/app/logs");
    public static readonly MeshSetting DiscoveryMode = new("DISCOVERY_MODE", "discovery.mode", "embedded");
    public static readonly MeshSetting ConsulHost = new("CONSUL_HOST", "discovery.consul.host", "localhost");
    public static readonly MeshSetting ConsulPort = new("CONSUL_PORT", "discovery.consul.port", "8500");
    public static readonly MeshSetting ConsulDatacenter = new("CONSUL_DATACENTER", "discovery.consul.datacenter", "lucid-dc");
    public static readonly MeshSetting EmbeddedConsulHttpPort = new("EMBEDDED_CONSUL_HTTP_PORT", "discovery.embedded.http_port", "8500",
        // SERVICE_MESH_PORT=8500 is what the earlier image's env files call the Consul HTTP port (its API was on HTTP_PORT).
        Aliases: ["CONSUL_HTTP_PORT", "SERVICE_MESH_PORT"]);
    public static readonly MeshSetting EmbeddedConsulHttpsPort = new("EMBEDDED_CONSUL_HTTPS_PORT", "discovery.embedded.https_port", "8501", Aliases: ["CONSUL_HTTPS_PORT"]);
    public static readonly MeshSetting EmbeddedConsulGrpcPort = new("EMBEDDED_CONSUL_GRPC_PORT", "discovery.embedded.grpc_port", "8502", Aliases: ["CONSUL_GRPC_PORT"]);
    public static readonly MeshSetting EmbeddedDnsPort = new("EMBEDDED_DNS_PORT", "discovery.embedded.dns_port", "8600", Aliases: ["CONSUL_DNS_PORT"]);
    public static readonly MeshSetting DnsTtl = new("DNS_TTL", "discovery.embedded.dns_ttl", "0");
    public static readonly MeshSetting ConsulScheme = new("CONSUL_SCHEME", "discovery.consul.scheme", "http");
    public static readonly MeshSetting ConsulHttpToken = new("CONSUL_HTTP_TOKEN", "discovery.consul.token", "", Secret: true);
    public static readonly MeshSetting ConsulCaFile = new("CONSUL_CA_FILE", "discovery.consul.ca_file", "");
    /// <summary>CIDR ranges HTTP and TCP health checks may probe; anything else is refused (see <see cref="AllowedNetworks"/>).</summary>
    public static readonly MeshSetting CheckAllowedNetworks = new("CHECK_ALLOWED_NETWORKS", "discovery.checks.allowed_networks", AllowedNetworks.DefaultText);
    /// <summary>Address of a services.yaml entry that names none; unset: the service's own name (its container on lucid-pi-network).</summary>
    public static readonly MeshSetting ServicesDefaultAddress = new("SERVICES_DEFAULT_ADDRESS", "discovery.services_default_address", "");
    public static readonly MeshSetting TrustDomain = new("TRUST_DOMAIN", "certificates.trust_domain", "lucid.local");
    /// <summary>Leaf lifetime in days; unset means 72 h (or CERT_TTL). Set one of the two, not both.</summary>
    public static readonly MeshSetting CertValidityDays = new("CERT_VALIDITY_DAYS", "certificates.cert_validity_days", "");
    public static readonly MeshSetting CertTtl = new("CERT_TTL", "certificates.cert_ttl", "");
    public static readonly MeshSetting CaValidityDays = new("CA_VALIDITY_DAYS", "certificates.ca_validity_days", "3650");
    public static readonly MeshSetting CertKeyAlgorithm = new("CERT_KEY_ALGORITHM", "certificates.key_algorithm", "ecdsa-p256");
    public static readonly MeshSetting CertKeySize = new("CERT_KEY_SIZE", "certificates.key_size", "2048");
    public static readonly MeshSetting CaRotationGrace = new("CA_ROTATION_GRACE", "certificates.ca_rotation_grace", "24h");

    /// <summary>Start of the sidecars' allocated ports: admin, Prometheus, public and ready blocks of 1,000 each (19000-22999).</summary>
    public static readonly MeshSetting EnvoyAdminPort = new("ENVOY_ADMIN_PORT", "envoy.admin_port", "19000");
    /// <summary>Where each sidecar's Prometheus and ready listeners bind (its admin interface stays on 127.0.0.1).</summary>
    public static readonly MeshSetting EnvoyStatsBindAddress = new("ENVOY_STATS_BIND_ADDRESS", "envoy.stats_bind_address", "127.0.0.1");
    public static readonly MeshSetting EnvoyConfigLayout = new("ENVOY_CONFIG_LAYOUT", "envoy.layout", "dynamic");

    public static IReadOnlyList<MeshSetting> All { get; } =
    [
        Host, HttpPort, ApiToken, LogLevel, LogFormat, ConfigPath, CertificatesPath, EnvoyConfigPath, DataPath, LogsPath,
        DiscoveryMode, ConsulHost, ConsulPort, ConsulDatacenter, EmbeddedConsulHttpPort, EmbeddedConsulHttpsPort,
        EmbeddedConsulGrpcPort, EmbeddedDnsPort, DnsTtl, ConsulScheme, ConsulHttpToken, ConsulCaFile, CheckAllowedNetworks, ServicesDefaultAddress, TrustDomain, CertValidityDays, CertTtl, CaValidityDays,
        CertKeyAlgorithm, CertKeySize, CaRotationGrace, EnvoyAdminPort, EnvoyStatsBindAddress, EnvoyConfigLayout,
    ];

    public const string YamlFileName = "service-mesh.yaml";

    /// <summary>Every key service-mesh.yaml may hold.</summary>
    public static readonly IReadOnlySet<string> YamlKeys = All.Where(s => s.YamlKey is not null).Select(s => s.YamlKey!).ToHashSet(StringComparer.Ordinal);
}
