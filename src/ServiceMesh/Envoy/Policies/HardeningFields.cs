using ServiceMesh.Configuration;

using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Envoy.Policies;

/// <summary>
/// The policies.yaml rows of <see cref="HardeningPolicy"/>: sections <c>connections</c>, <c>http_connection_manager</c>
/// and <c>tls</c> beside the timeouts of an upstream's settings. Every key is the Envoy field it sets.
/// </summary>
internal static class HardeningFields
{
    /// <summary>Linux's ceiling for TCP_KEEPIDLE and TCP_KEEPINTVL (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL).</summary>
    public static readonly TimeSpan MaximumKeepalive = TimeSpan.FromSeconds(32767);

    private static readonly YamlField<TcpKeepalivePolicy>[] KeepaliveFields =
    [
        YamlField.Number<TcpKeepalivePolicy>("keepalive_probes", 1, 127, (k, v) => k with { Probes = v }),
        WholeSeconds<TcpKeepalivePolicy>("keepalive_time", (k, v) => k with { Time = v }),
        WholeSeconds<TcpKeepalivePolicy>("keepalive_interval", (k, v) => k with { Interval = v }),
    ];

    private static readonly YamlField<ConnectionPolicy>[] ConnectionFields =
    [
        YamlField.Number<ConnectionPolicy>("max_active_downstream_connections", 1, 2_000_000_000, (c, v) => c with { MaxActiveDownstreamConnections = v }),
        YamlField.Number<ConnectionPolicy>("per_connection_buffer_limit_bytes", 1024, 64 * 1024 * 1024, (c, v) => c with { PerConnectionBufferLimitBytes = v }),
        YamlField.Section<ConnectionPolicy, TcpKeepalivePolicy>("tcp_keepalive", c => c.TcpKeepalive, (c, v) => c with { TcpKeepalive = v }, KeepaliveFields),
    ];

    private static readonly YamlField<HttpManagerPolicy>[] HttpManagerFields =
    [
        Bool<HttpManagerPolicy>("normalize_path", (h, v) => h with { NormalizePath = v }),
        Bool<HttpManagerPolicy>("merge_slashes", (h, v) => h with { MergeSlashes = v }),
        OneOf<HttpManagerPolicy>("path_with_escaped_slashes_action", HttpManagerPolicy.EscapedSlashesActions, (h, v) => h with { PathWithEscapedSlashesAction = v }),
        OneOf<HttpManagerPolicy>("headers_with_underscores_action", HttpManagerPolicy.UnderscoreActions, (h, v) => h with { HeadersWithUnderscoresAction = v }),
        YamlField.Duration<HttpManagerPolicy>("request_headers_timeout", (h, v) => h with { RequestHeadersTimeout = v }),
        YamlField.Duration<HttpManagerPolicy>("stream_idle_timeout", (h, v) => h with { StreamIdleTimeout = v }),
    ];

    private static readonly YamlField<TlsPolicy>[] TlsFields =
    [
        OneOf<TlsPolicy>("tls_minimum_protocol_version", TlsPolicy.ProtocolVersions, (t, v) => t with { MinimumProtocolVersion = v }),
        new("cipher_suites", (yaml, node, at, t) => CipherSuites(yaml, node, at) is { } suites ? t with { CipherSuites = suites } : t),
        new("ecdh_curves", (yaml, node, at, t) => Names(yaml, node, at, TlsPolicy.Curves) is { } curves ? t with { EcdhCurves = curves } : t),
    ];

    /// <summary>The three sections, as rows of an upstream's settings.</summary>
    public static readonly YamlField<UpstreamPolicy>[] Sections =
    [
        YamlField.Section<UpstreamPolicy, ConnectionPolicy>("connections", p => p.Hardening.Connections, (p, v) => p with { Hardening = p.Hardening with { Connections = v } }, ConnectionFields),
        YamlField.Section<UpstreamPolicy, HttpManagerPolicy>("http_connection_manager", p => p.Hardening.HttpConnectionManager,
            (p, v) => p with { Hardening = p.Hardening with { HttpConnectionManager = v } }, HttpManagerFields),
        YamlField.Section<UpstreamPolicy, TlsPolicy>("tls", p => p.Hardening.Tls, (p, v) => p with { Hardening = p.Hardening with { Tls = v } }, TlsFields),
    ];

    private static YamlField<T> Bool<T>(string name, Func<T, bool, T> set) =>
        new(name, (yaml, node, at, value) => yaml.Bool(node, at) is { } flag ? set(value, flag) : value);

    private static YamlField<T> OneOf<T>(string name, string[] choices, Func<T, string, T> set) =>
        new(name, (yaml, node, at, value) => yaml.Scalar(node, at) is not { } text ? value
            : choices.Contains(text, StringComparer.Ordinal) ? set(value, text)
            : yaml.Problem(node, at, $"expected one of {string.Join(", ", choices)}, found '{text}'", value));

    // Envoy's TcpKeepalive fields are whole seconds (UInt32Value), not Durations.
    private static YamlField<T> WholeSeconds<T>(string name, Func<T, TimeSpan, T> set) =>
        new(name, (yaml, node, at, value) => yaml.Duration(node, at, MaximumKeepalive) is not { } span ? value
            : span.Ticks % TimeSpan.TicksPerSecond == 0 ? set(value, span)
            : yaml.Problem(node, at, $"expected whole seconds such as 30s or 5m (Envoy sets the socket option in seconds), found '{((YamlScalarNode)node).Value}'", value));

    private static string[]? Names(YamlNodeReader yaml, YamlNode node, string at, string[] known)
    {
        var items = yaml.List(node, at);
        var unknown = items.Where(i => !known.Contains(i.Value, StringComparer.Ordinal)).ToList();
        foreach (var (item, name) in unknown)
        {
            yaml.Problem(item, at, $"expected one of {string.Join(", ", known)}, found '{name}'");
        }

        if (items.Count == 0 && node is YamlSequenceNode)
        {
            return yaml.Problem<string[]?>(node, at, $"expected at least one of {string.Join(", ", known)}", null);
        }

        return unknown.Count == 0 && items.Count > 0 ? [.. items.Select(i => i.Value).Distinct(StringComparer.Ordinal)] : null;
    }

    // Leaves may be ECDSA or RSA (CERT_KEY_ALGORITHM, both while it changes, and per host in consul mode): a TLS 1.2
    // handshake needs a suite for the server's key type, so the list must keep one of each.
    private static string[]? CipherSuites(YamlNodeReader yaml, YamlNode node, string at)
    {
        if (Names(yaml, node, at, TlsPolicy.ModernCipherSuites) is not { } suites)
        {
            return null;
        }

        if (suites.Any(s => s.StartsWith("ECDHE-ECDSA-", StringComparison.Ordinal)) && suites.Any(s => s.StartsWith("ECDHE-RSA-", StringComparison.Ordinal)))
        {
            return suites;
        }

        return yaml.Problem<string[]?>(node, at, "expected at least one ECDHE-ECDSA-* and one ECDHE-RSA-* suite: sidecar certificates may have either key type (CERT_KEY_ALGORITHM)", null);
    }
}
