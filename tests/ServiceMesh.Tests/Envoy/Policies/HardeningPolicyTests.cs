using ServiceMesh.Envoy.Policies;
using ServiceMesh.Tests.Envoy.Rendering;

namespace ServiceMesh.Tests.Envoy.Policies;

/// <summary>policies.yaml's connections, http_connection_manager and tls sections: values, layering and problems.</summary>
public sealed class HardeningPolicyTests
{
    [Fact]
    public void Parse_NoHardeningKeys_SafeDefaults()
    {
        var hardening = PolicyFile.Parse("policies.yaml", "default: allow\n").Policies!.UpstreamDefaults.Hardening;

        hardening.Connections.MaxActiveDownstreamConnections.ShouldBe(50_000);
        hardening.Connections.PerConnectionBufferLimitBytes.ShouldBe(32_768);
        hardening.Connections.TcpKeepalive.ShouldBe(new TcpKeepalivePolicy(3, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30)));
        hardening.HttpConnectionManager.ShouldBe(new HttpManagerPolicy(true, true, "KEEP_UNCHANGED", "REJECT_REQUEST", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)));
        hardening.Tls.MinimumProtocolVersion.ShouldBe("TLSv1_2");
        hardening.Tls.EcdhCurves.ShouldBe(["X25519", "P-256"]);
    }

    [Fact]
    public void Parse_PerUpstreamSection_LayersOverDefaultsKeyByKey()
    {
        var policies = PolicyFile.Parse("policies.yaml", HardeningRenderingTests.Overrides + """

            upstreams:
              auth-service:
                connections:
                  tcp_keepalive:
                    keepalive_probes: 9
                http_connection_manager:
                  normalize_path: true
            """).Policies!;

        var auth = policies.For("auth-service").Hardening;
        auth.Connections.TcpKeepalive.Probes.ShouldBe(9);
        auth.Connections.TcpKeepalive.Time.ShouldBe(TimeSpan.FromMinutes(10)); // from upstream_defaults
        auth.HttpConnectionManager.NormalizePath.ShouldBeTrue();
        auth.HttpConnectionManager.MergeSlashes.ShouldBeFalse();
        policies.For("api-gateway").Hardening.HttpConnectionManager.NormalizePath.ShouldBeFalse();
    }

    [Fact]
    public void Parse_SameFileTwice_EqualPoliciesSoNothingIsRewritten()
    {
        var first = PolicyFile.Parse("policies.yaml", HardeningRenderingTests.Overrides).Policies!.UpstreamDefaults;
        var second = PolicyFile.Parse("policies.yaml", HardeningRenderingTests.Overrides).Policies!.UpstreamDefaults;

        second.ShouldBe(first); // the cipher and curve lists compare by content
        second.Hardening.Tls.ShouldNotBe(first.Hardening.Tls with { EcdhCurves = ["X25519"] });
    }

    [Theory]
    [InlineData("connections:\n    max_active_downstream_connections: 0", "line 4, key 'upstream_defaults.connections.max_active_downstream_connections': expected a whole number from 1 to 2000000000, found '0'")]
    [InlineData("connections:\n    per_connection_buffer_limit_bytes: 512", "line 4, key 'upstream_defaults.connections.per_connection_buffer_limit_bytes': expected a whole number from 1024 to 67108864, found '512'")]
    [InlineData("connections:\n    tcp_keepalive:\n      keepalive_probes: 200", "line 5, key 'upstream_defaults.connections.tcp_keepalive.keepalive_probes': expected a whole number from 1 to 127, found '200'")]
    [InlineData("connections:\n    tcp_keepalive:\n      keepalive_time: 1500ms", "line 5, key 'upstream_defaults.connections.tcp_keepalive.keepalive_time': expected whole seconds such as 30s or 5m (Envoy sets the socket option in seconds), found '1500ms'")]
    [InlineData("connections:\n    tcp_keepalive:\n      keepalive_interval: 10h", "line 5, key 'upstream_defaults.connections.tcp_keepalive.keepalive_interval': expected a duration from 1ms to 9h6m7s such as 250ms, 5s or 1m30s, found '10h'")]
    [InlineData("connections:\n    max_connections: 5", "line 4, key 'upstream_defaults.connections.max_connections': unknown key (known: max_active_downstream_connections, per_connection_buffer_limit_bytes, tcp_keepalive)")]
    [InlineData("http_connection_manager:\n    normalize_path: yes", "line 4, key 'upstream_defaults.http_connection_manager.normalize_path': expected true or false, found 'yes'")]
    [InlineData("http_connection_manager:\n    path_with_escaped_slashes_action: IMPLEMENTATION_SPECIFIC_DEFAULT", "line 4, key 'upstream_defaults.http_connection_manager.path_with_escaped_slashes_action': expected one of KEEP_UNCHANGED, REJECT_REQUEST, UNESCAPE_AND_REDIRECT, UNESCAPE_AND_FORWARD, found 'IMPLEMENTATION_SPECIFIC_DEFAULT'")]
    [InlineData("http_connection_manager:\n    headers_with_underscores_action: reject", "line 4, key 'upstream_defaults.http_connection_manager.headers_with_underscores_action': expected one of ALLOW, REJECT_REQUEST, DROP_HEADER, found 'reject'")]
    [InlineData("http_connection_manager:\n    stream_idle_timeout: 0s", "line 4, key 'upstream_defaults.http_connection_manager.stream_idle_timeout': expected a duration from 1ms to 24h such as 250ms, 5s or 1m30s, found '0s'")]
    [InlineData("tls:\n    tls_minimum_protocol_version: TLSv1_1", "line 4, key 'upstream_defaults.tls.tls_minimum_protocol_version': expected one of TLSv1_2, TLSv1_3, found 'TLSv1_1'")]
    [InlineData("tls:\n    cipher_suites: [ECDHE-ECDSA-AES128-GCM-SHA256, AES128-SHA]", "line 4, key 'upstream_defaults.tls.cipher_suites': expected one of ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-ECDSA-CHACHA20-POLY1305, ECDHE-ECDSA-AES256-GCM-SHA384, ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-CHACHA20-POLY1305, ECDHE-RSA-AES256-GCM-SHA384, found 'AES128-SHA'")]
    [InlineData("tls:\n    cipher_suites: [ECDHE-ECDSA-AES128-GCM-SHA256]", "line 4, key 'upstream_defaults.tls.cipher_suites': expected at least one ECDHE-ECDSA-* and one ECDHE-RSA-* suite: sidecar certificates may have either key type (CERT_KEY_ALGORITHM)")]
    [InlineData("tls:\n    ecdh_curves: []", "line 4, key 'upstream_defaults.tls.ecdh_curves': expected at least one of X25519, P-256, P-384, P-521")]
    [InlineData("tls:\n    ecdh_curves: [X448]", "line 4, key 'upstream_defaults.tls.ecdh_curves': expected one of X25519, P-256, P-384, P-521, found 'X448'")]
    public void Parse_BadHardeningValue_ProblemNamesFileLineAndKey(string section, string problem)
    {
        var result = PolicyFile.Parse("/app/config/policies.yaml", "default: allow\nupstream_defaults:\n  " + section + "\n");

        result.IsValid.ShouldBeFalse();
        result.Problems.ShouldBe(["/app/config/policies.yaml " + problem]);
    }

    [Fact]
    public void Parse_BadValueUnderAnUpstream_ProblemNamesThatUpstream()
    {
        var result = PolicyFile.Parse("policies.yaml", "upstreams:\n  lucid-redis:\n    tls:\n      ecdh_curves: [X448]\n");

        result.Problems.Single().ShouldStartWith("policies.yaml line 4, key 'upstreams.lucid-redis.tls.ecdh_curves': expected one of");
    }
}
