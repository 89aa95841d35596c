namespace ServiceMesh.Envoy.Policies;

/// <summary>
/// Limits and protocol hygiene for one sidecar and the upstreams it calls (issue #16 part 3): connection limits and
/// buffers, HTTP connection manager hardening, TCP keepalive and the TLS parameters of both transport sockets.
/// </summary>
internal sealed record HardeningPolicy(ConnectionPolicy Connections, HttpManagerPolicy HttpConnectionManager, TlsPolicy Tls)
{
    public static HardeningPolicy Default { get; } = new(ConnectionPolicy.Default, HttpManagerPolicy.Default, TlsPolicy.Default);
}

/// <param name="MaxActiveDownstreamConnections">The bootstrap's global limit (overload manager), across all listeners of the sidecar.</param>
/// <param name="PerConnectionBufferLimitBytes">Read/write buffer per connection on every listener and cluster.</param>
internal sealed record ConnectionPolicy(int MaxActiveDownstreamConnections, int PerConnectionBufferLimitBytes, TcpKeepalivePolicy TcpKeepalive)
{
    // 50,000: Envoy's edge best-practices example and Kuma's gateway default; 32 KiB: the same document's buffer limit.
    public static ConnectionPolicy Default { get; } = new(50_000, 32 * 1024, TcpKeepalivePolicy.Default);
}

/// <summary>config.core.v3.TcpKeepalive on every cluster's upstream connections; Envoy takes whole seconds.</summary>
internal sealed record TcpKeepalivePolicy(int Probes, TimeSpan Time, TimeSpan Interval)
{
    // First probe after 5 min idle (under the 350 s idle timeout of common NATs), a dead peer found 90 s later.
    public static TcpKeepalivePolicy Default { get; } = new(3, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30));
}

/// <summary>Settings every HTTP connection manager (inbound and outbound) gets; the actions are Envoy's enum names.</summary>
internal sealed record HttpManagerPolicy(
    bool NormalizePath,
    bool MergeSlashes,
    string PathWithEscapedSlashesAction,
    string HeadersWithUnderscoresAction,
    TimeSpan RequestHeadersTimeout,
    TimeSpan StreamIdleTimeout)
{
    public static readonly string[] EscapedSlashesActions = ["KEEP_UNCHANGED", "REJECT_REQUEST", "UNESCAPE_AND_REDIRECT", "UNESCAPE_AND_FORWARD"];
    public static readonly string[] UnderscoreActions = ["ALLOW", "REJECT_REQUEST", "DROP_HEADER"];

    // KEEP_UNCHANGED: no path-based decision is taken at our proxies, and redirect/reject break gRPC (Istio's default too).
    public static HttpManagerPolicy Default { get; } = new(true, true, "KEEP_UNCHANGED", "REJECT_REQUEST", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));
}

/// <summary>extensions.transport_sockets.tls.v3.TlsParameters for both sides of the mesh's mTLS.</summary>
internal sealed record TlsPolicy(string MinimumProtocolVersion, IReadOnlyList<string> CipherSuites, IReadOnlyList<string> EcdhCurves)
{
    public const string MaximumProtocolVersion = "TLSv1_3";
    public static readonly string[] ProtocolVersions = ["TLSv1_2", "TLSv1_3"];

    /// <summary>The forward-secret AEAD suites BoringSSL offers for TLS 1.2, ECDSA and RSA certificates alike.</summary>
    public static readonly string[] ModernCipherSuites =
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-AES256-GCM-SHA384",
    ];

    public static readonly string[] Curves = ["X25519", "P-256", "P-384", "P-521"];

    public static TlsPolicy Default { get; } = new("TLSv1_2", ModernCipherSuites, ["X25519", "P-256"]);

    public bool Equals(TlsPolicy? other) =>
        other is not null && MinimumProtocolVersion == other.MinimumProtocolVersion
        && CipherSuites.SequenceEqual(other.CipherSuites, StringComparer.Ordinal) && EcdhCurves.SequenceEqual(other.EcdhCurves, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(MinimumProtocolVersion, CipherSuites.Count, EcdhCurves.Count);
}
