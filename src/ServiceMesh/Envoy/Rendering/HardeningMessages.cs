using ServiceMesh.Envoy.Policies;
using ServiceMesh.Envoy.Rendering.Model;

namespace ServiceMesh.Envoy.Rendering;

/// <summary>The Envoy messages a <see cref="HardeningPolicy"/> turns into, for the bootstrap, listeners, clusters and both TLS contexts.</summary>
internal static class HardeningMessages
{
    public static OverloadManager Overload(HardeningPolicy policy) => new(policy.Connections.MaxActiveDownstreamConnections);

    public static int BufferLimit(HardeningPolicy policy) => policy.Connections.PerConnectionBufferLimitBytes;

    public static UpstreamConnectionOptions Keepalive(HardeningPolicy policy)
    {
        var keepalive = policy.Connections.TcpKeepalive;
        return new UpstreamConnectionOptions(keepalive.Probes, (int)keepalive.Time.TotalSeconds, (int)keepalive.Interval.TotalSeconds);
    }

    /// <summary>The HttpConnectionManager fields that bound and canonicalise requests, written into the manager itself.</summary>
    public static IEnvoyMessage Http(HardeningPolicy policy) => new HttpRequestLimits(policy.HttpConnectionManager);

    // Maximum TLS 1.3 on both sides: Envoy's client default maximum is TLS 1.2, so sidecars would never negotiate 1.3.
    public static TlsParameters Tls(HardeningPolicy policy) =>
        new(policy.Tls.MinimumProtocolVersion, TlsPolicy.MaximumProtocolVersion, policy.Tls.CipherSuites, policy.Tls.EcdhCurves);

    private sealed record HttpRequestLimits(HttpManagerPolicy Http) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml
            .Field("common_http_protocol_options", new HttpProtocolOptions(Http.HeadersWithUnderscoresAction))
            .Field("stream_idle_timeout", Http.StreamIdleTimeout)
            .Field("request_headers_timeout", Http.RequestHeadersTimeout)
            .Field("normalize_path", Http.NormalizePath)
            .Field("merge_slashes", Http.MergeSlashes)
            .Field("path_with_escaped_slashes_action", Http.PathWithEscapedSlashesAction);
    }
}
