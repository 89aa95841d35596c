namespace ServiceMesh.Envoy.Rendering.Model;

/// <summary>
/// Cluster.typed_extension_protocol_options holding extensions.upstreams.http.v3.HttpProtocolOptions with
/// explicit_http_config.http2_protocol_options: the cluster speaks HTTP/2 (h2 over TLS, h2c in plain text).
/// </summary>
internal sealed record Http2ProtocolOptions : IEnvoyMessage
{
    public const string Key = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    public static Http2ProtocolOptions Instance { get; } = new();

    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Typed(Key, new HttpProtocolOptions());

    private sealed record HttpProtocolOptions : IEnvoyTypedMessage
    {
        public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + Key;

        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("explicit_http_config", new ExplicitHttpConfig());
    }

    private sealed record ExplicitHttpConfig : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Empty("http2_protocol_options"); // Envoy's HTTP/2 defaults
    }
}
