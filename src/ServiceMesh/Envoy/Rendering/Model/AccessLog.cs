namespace ServiceMesh.Envoy.Rendering.Model;

/// <summary>
/// config.accesslog.v3.AccessLog entries (name + typed_config, the <see cref="TypedExtension"/> shape) writing one JSON
/// line per request or connection to Envoy's stdout, with the verified peer's SPIFFE ID.
/// </summary>
internal static class AccessLogs
{
    public const string StdoutName = "envoy.access_loggers.stdout";

    /// <summary>The HTTP connection manager's log: one line per request.</summary>
    public static IReadOnlyList<TypedExtension> Http(bool inbound) => [Stdout(
    [
        ("start_time", "%START_TIME%"),
        ("method", "%REQ(:METHOD)%"),
        ("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"),
        ("protocol", "%PROTOCOL%"),
        ("response_code", "%RESPONSE_CODE%"),
        .. Connection(inbound),
    ])];

    /// <summary>tcp_proxy's log: one line per connection (no method, path or status there).</summary>
    public static IReadOnlyList<TypedExtension> Tcp(bool inbound) => [Stdout([("start_time", "%START_TIME%"), .. Connection(inbound)])];

    // What both logs say of the connection itself.
    private static IEnumerable<(string, string)> Connection(bool inbound) =>
    [
        ("response_flags", "%RESPONSE_FLAGS%"),
        ("duration", "%DURATION%"),
        ("upstream_cluster", "%UPSTREAM_CLUSTER%"),
        ("upstream_host", "%UPSTREAM_HOST%"),
        ("bytes_received", "%BYTES_RECEIVED%"),
        ("bytes_sent", "%BYTES_SENT%"),
        PeerSpiffeId(inbound),
    ];

    // Inbound, the peer is the caller (the client certificate); outbound, the upstream's sidecar (its server certificate).
    private static (string, string) PeerSpiffeId(bool inbound) => ("peer_spiffe_id", inbound ? "%DOWNSTREAM_PEER_URI_SAN%" : "%UPSTREAM_PEER_URI_SAN%");

    private static TypedExtension Stdout(IReadOnlyList<(string Key, string Value)> fields) => new(StdoutName, new StdoutAccessLog(new JsonFormat(fields)));
}

/// <summary>extensions.access_loggers.stream.v3.StdoutAccessLog with a config.core.v3.SubstitutionFormatString json_format.</summary>
internal sealed record StdoutAccessLog(JsonFormat Format) : IEnvoyTypedMessage
{
    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog";

    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("log_format", new LogFormat(Format));

    private sealed record LogFormat(JsonFormat JsonFormat) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("json_format", JsonFormat);
    }
}

/// <summary>A google.protobuf.Struct of command operators: each key becomes a key of the JSON line, in this order.</summary>
internal sealed record JsonFormat(IReadOnlyList<(string Key, string Value)> Fields) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml)
    {
        foreach (var (key, value) in Fields)
        {
            yaml.Field(key, value);
        }
    }
}
