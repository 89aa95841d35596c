namespace ServiceMesh.Envoy.Rendering.Model;

// Limits and protocol hygiene: the overload manager's connection limit, TCP keepalive, HTTP protocol options, TLS parameters.

/// <summary>
/// config.overload.v3.OverloadManager with the downstream connections monitor. The name is the one the overload
/// manager reads as the global limit (the runtime key overload.global_downstream_max_connections is deprecated).
/// </summary>
internal sealed record OverloadManager(long MaxActiveDownstreamConnections) : IEnvoyMessage
{
    public const string GlobalConnectionsMonitor = "envoy.resource_monitors.global_downstream_max_connections";

    public void WriteFields(EnvoyYamlWriter yaml) =>
        yaml.List("resource_monitors", [new TypedExtension(GlobalConnectionsMonitor, new DownstreamConnectionsConfig(MaxActiveDownstreamConnections))]);

    private sealed record DownstreamConnectionsConfig(long MaxActiveDownstreamConnections) : IEnvoyTypedMessage
    {
        public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig";

        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("max_active_downstream_connections", MaxActiveDownstreamConnections);
    }
}

/// <summary>config.cluster.v3.UpstreamConnectionOptions with config.core.v3.TcpKeepalive (UInt32 seconds, not Durations).</summary>
internal sealed record UpstreamConnectionOptions(int KeepaliveProbes, int KeepaliveTimeSeconds, int KeepaliveIntervalSeconds) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("tcp_keepalive", new TcpKeepalive(this));

    private sealed record TcpKeepalive(UpstreamConnectionOptions Options) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml
            .Field("keepalive_probes", Options.KeepaliveProbes)
            .Field("keepalive_time", Options.KeepaliveTimeSeconds)
            .Field("keepalive_interval", Options.KeepaliveIntervalSeconds);
    }
}

/// <summary>config.core.v3.HttpProtocolOptions (HttpConnectionManager.common_http_protocol_options).</summary>
internal sealed record HttpProtocolOptions(string HeadersWithUnderscoresAction) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("headers_with_underscores_action", HeadersWithUnderscoresAction);
}

/// <summary>extensions.transport_sockets.tls.v3.TlsParameters.</summary>
internal sealed record TlsParameters(string MinimumProtocolVersion, string MaximumProtocolVersion, IReadOnlyList<string> CipherSuites, IReadOnlyList<string> EcdhCurves) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("tls_minimum_protocol_version", MinimumProtocolVersion)
        .Field("tls_maximum_protocol_version", MaximumProtocolVersion)
        .Strings("cipher_suites", CipherSuites)
        .Strings("ecdh_curves", EcdhCurves);
}
