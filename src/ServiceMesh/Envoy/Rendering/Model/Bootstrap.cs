namespace ServiceMesh.Envoy.Rendering.Model;

/// <summary>config.bootstrap.v3.Bootstrap: the file Envoy starts with (<c>envoy -c</c>).</summary>
internal sealed record Bootstrap(
    Node Node,
    Admin Admin,
    LayeredRuntime LayeredRuntime,
    DynamicResources? DynamicResources = null,
    StaticResources? StaticResources = null,
    StatsConfig? StatsConfig = null,
    TimeSpan? StatsFlushInterval = null,
    OverloadManager? OverloadManager = null) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("node", Node)
        .Field("static_resources", StaticResources)
        .Field("dynamic_resources", DynamicResources)
        .Field("stats_config", StatsConfig)
        .Field("stats_flush_interval", StatsFlushInterval)
        .Field("admin", Admin)
        .Field("layered_runtime", LayeredRuntime)
        .Field("overload_manager", OverloadManager);
}

/// <summary>config.core.v3.Node: id and cluster identify this sidecar in stats and the admin interface.</summary>
internal sealed record Node(string Id, string Cluster) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("id", Id).Field("cluster", Cluster);
}

/// <summary>config.bootstrap.v3.Admin (address only; access_log_path is deprecated and not written).</summary>
internal sealed record Admin(EnvoyAddress Address) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("address", Address);
}

/// <summary>config.bootstrap.v3.Bootstrap.DynamicResources: CDS and LDS from watched files.</summary>
internal sealed record DynamicResources(ConfigSource CdsConfig, ConfigSource LdsConfig) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("lds_config", LdsConfig).Field("cds_config", CdsConfig);
}

/// <summary>config.bootstrap.v3.Bootstrap.StaticResources: the single-file layout.</summary>
internal sealed record StaticResources(IReadOnlyList<Listener> Listeners, IReadOnlyList<Cluster> Clusters, IReadOnlyList<Secret> Secrets) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) =>
        yaml.List("listeners", Listeners).List("clusters", Clusters).List("secrets", Secrets);
}

/// <summary>config.bootstrap.v3.LayeredRuntime.</summary>
internal sealed record LayeredRuntime(IReadOnlyList<RuntimeLayer> Layers) : IEnvoyMessage
{
    /// <summary>An (empty) static layer for operators' defaults, then the admin layer so /runtime_modify works.</summary>
    public static LayeredRuntime Default { get; } = new([new RuntimeLayer("static_layer", AdminLayer: false), new RuntimeLayer("admin_layer", AdminLayer: true)]);

    public void WriteFields(EnvoyYamlWriter yaml) => yaml.List("layers", Layers);
}

/// <summary>config.bootstrap.v3.RuntimeLayer: a static_layer (Struct) or an admin_layer.</summary>
internal sealed record RuntimeLayer(string Name, bool AdminLayer) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml)
    {
        yaml.Field("name", Name);
        yaml.Empty(AdminLayer ? "admin_layer" : "static_layer");
    }
}

/// <summary>config.metrics.v3.StatsConfig.</summary>
internal sealed record StatsConfig(bool UseAllDefaultTags) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("use_all_default_tags", UseAllDefaultTags);
}
