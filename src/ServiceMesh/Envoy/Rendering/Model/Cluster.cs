namespace ServiceMesh.Envoy.Rendering.Model;

/// <summary>config.cluster.v3.Cluster, with the fields this mesh sets.</summary>
internal sealed record Cluster(
    string Name,
    string Type,
    TimeSpan ConnectTimeout,
    ClusterLoadAssignment LoadAssignment,
    IReadOnlyList<HealthCheck>? HealthChecks = null,
    OutlierDetection? OutlierDetection = null,
    CircuitBreakers? CircuitBreakers = null,
    TypedExtension? TransportSocket = null,
    int? PerConnectionBufferLimitBytes = null,
    UpstreamConnectionOptions? UpstreamConnectionOptions = null,
    Http2ProtocolOptions? TypedExtensionProtocolOptions = null) : IEnvoyTypedMessage
{
    public const string Static = "STATIC";
    public const string StrictDns = "STRICT_DNS";

    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.config.cluster.v3.Cluster";

    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("name", Name)
        .Field("type", Type)
        .Field("connect_timeout", ConnectTimeout)
        .Field("per_connection_buffer_limit_bytes", PerConnectionBufferLimitBytes)
        .Field("lb_policy", "ROUND_ROBIN")
        // Host names (compose service names) resolve over IPv4, the only family the Lucid network has.
        .Field("dns_lookup_family", Type == StrictDns ? "V4_ONLY" : null)
        .Field("load_assignment", LoadAssignment)
        .List("health_checks", HealthChecks)
        .Field("outlier_detection", OutlierDetection)
        .Field("circuit_breakers", CircuitBreakers)
        .Field("transport_socket", TransportSocket)
        .Field("upstream_connection_options", UpstreamConnectionOptions)
        .Field("typed_extension_protocol_options", TypedExtensionProtocolOptions);
}

/// <summary>config.endpoint.v3.ClusterLoadAssignment with one locality.</summary>
internal sealed record ClusterLoadAssignment(string ClusterName, IReadOnlyList<EnvoyAddress> Endpoints) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("cluster_name", ClusterName)
        .List("endpoints", [new LocalityLbEndpoints(Endpoints)]);

    private sealed record LocalityLbEndpoints(IReadOnlyList<EnvoyAddress> Endpoints) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.List("lb_endpoints", Endpoints.Select(e => new LbEndpoint(e)).ToList());
    }

    private sealed record LbEndpoint(EnvoyAddress Address) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("endpoint", new Endpoint(Address));
    }

    private sealed record Endpoint(EnvoyAddress Address) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("address", Address);
    }
}

/// <summary>
/// config.core.v3.HealthCheck: timeout, interval and both thresholds are required; HTTP path (over HTTP/2 when the
/// upstream speaks it), grpc.health.v1 for gRPC upstreams, or a TCP connect check.
/// </summary>
internal sealed record HealthCheck(TimeSpan Timeout, TimeSpan Interval, int UnhealthyThreshold, int HealthyThreshold, string? HttpPath,
    bool Http2 = false, bool Grpc = false) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml)
    {
        yaml.Field("timeout", Timeout)
            .Field("interval", Interval)
            .Field("unhealthy_threshold", UnhealthyThreshold)
            .Field("healthy_threshold", HealthyThreshold);
        if (Grpc)
        {
            yaml.Empty("grpc_health_check"); // empty service_name: the server's overall health
        }
        else if (HttpPath is null)
        {
            yaml.Empty("tcp_health_check"); // no payload: a successful connect (and TLS handshake) is healthy
        }
        else
        {
            yaml.Field("http_health_check", new HttpHealthCheck(HttpPath, Http2 ? "HTTP2" : null));
        }
    }

    private sealed record HttpHealthCheck(string Path, string? CodecClientType) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("path", Path).Field("codec_client_type", CodecClientType);
    }
}

/// <summary>config.cluster.v3.OutlierDetection (consecutive 5xx; for TCP, connect failures count as such).</summary>
internal sealed record OutlierDetection(int Consecutive5xx, TimeSpan Interval, TimeSpan BaseEjectionTime, int MaxEjectionPercent) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("consecutive_5xx", Consecutive5xx)
        .Field("interval", Interval)
        .Field("base_ejection_time", BaseEjectionTime)
        .Field("max_ejection_percent", MaxEjectionPercent);
}

/// <summary>config.cluster.v3.CircuitBreakers with DEFAULT-priority thresholds.</summary>
internal sealed record CircuitBreakers(int MaxConnections, int MaxPendingRequests, int MaxRequests, int MaxRetries) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.List("thresholds", [new Thresholds(this)]);

    private sealed record Thresholds(CircuitBreakers Limits) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml
            .Field("priority", "DEFAULT")
            .Field("max_connections", Limits.MaxConnections)
            .Field("max_pending_requests", Limits.MaxPendingRequests)
            .Field("max_requests", Limits.MaxRequests)
            .Field("max_retries", Limits.MaxRetries);
    }
}
