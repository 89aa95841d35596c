using ServiceMesh.Configuration;

namespace ServiceMesh.Envoy;

/// <summary>What the Envoy writer needs from the runtime's validated options.</summary>
internal sealed record EnvoySettings
{
    /// <summary>ENVOY_CONFIG_PATH: the sidecars' files, one folder per service.</summary>
    public required string EnvoyConfigPath { get; init; }

    /// <summary>ENVOY_CONFIG_LAYOUT: watched CDS/LDS/SDS files, or one static bootstrap.</summary>
    public required EnvoyConfigLayout Layout { get; init; }

    /// <summary>ENVOY_ADMIN_PORT: where the sidecars' allocated ports start (<see cref="Planning.HostPortRanges"/>).</summary>
    public required int AdminPort { get; init; }

    /// <summary>ENVOY_STATS_BIND_ADDRESS: where the Prometheus and ready listeners bind.</summary>
    public string StatsBindAddress { get; init; } = "127.0.0.1";

    /// <summary>service-mesh's own listening ports on this host: no sidecar may take them.</summary>
    public IReadOnlyList<Planning.ReservedPort> ReservedPorts { get; init; } = [];

    /// <summary>CONFIG_PATH: the folder of policies.yaml.</summary>
    public required string PolicyFolder { get; init; }

    /// <summary>The POST /envoy/configs registrations: DATA_PATH/envoy/registrations.json.</summary>
    public required string RegistrationsFile { get; init; }

    /// <summary>Short: the change-to-disk target is 100 ms at p99, debounce included.</summary>
    public TimeSpan Debounce { get; init; } = DefaultDebounce;

    /// <summary>
    /// How long the first generation waits for every input's <see cref="Planning.IEnvoyInputs.Ready"/> (old files stay
    /// meanwhile). An external Consul silent this long is likely down: it then generates from what it has anyway.
    /// </summary>
    public TimeSpan InputsWait { get; init; } = DefaultInputsWait;

    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(20);
    public static readonly TimeSpan DefaultInputsWait = TimeSpan.FromSeconds(10);

    public static EnvoySettings From(MeshOptions options) => new()
    {
        EnvoyConfigPath = options.EnvoyConfigPath,
        Layout = options.EnvoyConfigLayout,
        AdminPort = options.EnvoyAdminPort,
        StatsBindAddress = options.EnvoyStatsBindAddress.ToString(),
        ReservedPorts = ReservedPortsOf(options),
        PolicyFolder = options.ConfigPath,
        RegistrationsFile = Path.Combine(options.DataPath, "envoy", "registrations.json"),
    };

    /// <summary>HTTP_PORT, and in embedded mode the Consul HTTP, HTTPS, gRPC and DNS ports.</summary>
    public static IReadOnlyList<Planning.ReservedPort> ReservedPortsOf(MeshOptions options) =>
    [
        new(options.HttpPort, $"service-mesh's {MeshSettings.HttpPort.EnvironmentName}"),
        .. options.DiscoveryMode != DiscoveryMode.Embedded ? [] : new (MeshSetting Setting, int Port)[]
        {
            (MeshSettings.EmbeddedConsulHttpPort, options.EmbeddedConsulHttpPort),
            (MeshSettings.EmbeddedConsulHttpsPort, options.EmbeddedConsulHttpsPort),
            (MeshSettings.EmbeddedConsulGrpcPort, options.EmbeddedConsulGrpcPort),
            (MeshSettings.EmbeddedDnsPort, options.EmbeddedDnsPort),
        }.Select(p => new Planning.ReservedPort(p.Port, $"service-mesh's {p.Setting.EnvironmentName}")),
    ];
}
