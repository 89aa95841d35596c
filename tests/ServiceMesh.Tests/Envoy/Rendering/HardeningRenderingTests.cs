using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Tests.Envoy.Rendering;

/// <summary>Each connection, HTTP and TLS setting of policies.yaml read back from every written file it belongs in.</summary>
public sealed class HardeningRenderingTests(HardeningRenderingTests.Meshes meshes) : IClassFixture<HardeningRenderingTests.Meshes>
{
    private const string TypePrefix = "type.googleapis.com/envoy.";

    /// <summary>Every new key set away from its default in upstream_defaults.</summary>
    public const string Overrides = """
        upstream_defaults:
          connections:
            max_active_downstream_connections: 1200
            per_connection_buffer_limit_bytes: 65536
            tcp_keepalive:
              keepalive_probes: 5
              keepalive_time: 10m
              keepalive_interval: 15s
          http_connection_manager:
            normalize_path: false
            merge_slashes: false
            path_with_escaped_slashes_action: REJECT_REQUEST
            headers_with_underscores_action: DROP_HEADER
            request_headers_timeout: 3s
            stream_idle_timeout: 30m
          tls:
            tls_minimum_protocol_version: TLSv1_3
            cipher_suites: [ECDHE-ECDSA-AES256-GCM-SHA384, ECDHE-RSA-AES256-GCM-SHA384]
            ecdh_curves: [P-384]
        """;

    [Theory]
    [InlineData("bootstrap", "overload_manager.resource_monitors.0.typed_config.max_active_downstream_connections", "50000", "1200")]
    [InlineData("listener", "per_connection_buffer_limit_bytes", "32768", "65536")]
    [InlineData("cluster", "per_connection_buffer_limit_bytes", "32768", "65536")]
    [InlineData("cluster", "upstream_connection_options.tcp_keepalive.keepalive_probes", "3", "5")]
    [InlineData("cluster", "upstream_connection_options.tcp_keepalive.keepalive_time", "300", "600")]
    [InlineData("cluster", "upstream_connection_options.tcp_keepalive.keepalive_interval", "30", "15")]
    [InlineData("http", "normalize_path", "true", "false")]
    [InlineData("http", "merge_slashes", "true", "false")]
    [InlineData("http", "path_with_escaped_slashes_action", "KEEP_UNCHANGED", "REJECT_REQUEST")]
    [InlineData("http", "common_http_protocol_options.headers_with_underscores_action", "REJECT_REQUEST", "DROP_HEADER")]
    [InlineData("http", "request_headers_timeout", "10s", "3s")]
    [InlineData("http", "stream_idle_timeout", "300s", "1800s")]
    [InlineData("tls", "common_tls_context.tls_params.tls_minimum_protocol_version", "TLSv1_2", "TLSv1_3")]
    [InlineData("tls", "common_tls_context.tls_params.tls_maximum_protocol_version", "TLSv1_3", "TLSv1_3")]
    [InlineData("tls", "common_tls_context.tls_params.cipher_suites",
        "ECDHE-ECDSA-AES128-GCM-SHA256,ECDHE-ECDSA-CHACHA20-POLY1305,ECDHE-ECDSA-AES256-GCM-SHA384,ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-CHACHA20-POLY1305,ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES256-GCM-SHA384,ECDHE-RSA-AES256-GCM-SHA384")]
    [InlineData("tls", "common_tls_context.tls_params.ecdh_curves", "X25519,P-256", "P-384")]
    public void Generate_Setting_DefaultAndPolicyValueInEveryPlaceItApplies(string place, string path, string byDefault, string fromPolicy)
    {
        Values(meshes.Defaults, place, path).ShouldAllBe(v => v == byDefault);
        Values(meshes.Configured, place, path).ShouldAllBe(v => v == fromPolicy);
    }

    [Fact]
    public void Generate_Defaults_HttpHardeningOnInboundAndOutboundManagers()
    {
        var managers = Nodes(meshes.Defaults, "http").ToList();

        // api-gateway and auth-service speak HTTP: their public listeners and every outbound listener to an HTTP upstream.
        managers.Select(m => m.Text("stat_prefix")).ShouldContain("public_listener");
        managers.Select(m => m.Text("stat_prefix")).ShouldContain("upstream_auth-service");
    }

    [Fact]
    public void Generate_Defaults_OverloadManagerNamesTheGlobalConnectionsMonitor()
    {
        foreach (var bootstrap in Nodes(meshes.Defaults, "bootstrap"))
        {
            var monitor = bootstrap.Items("overload_manager", "resource_monitors").Single();
            monitor.Text("name").ShouldBe("envoy.resource_monitors.global_downstream_max_connections");
            monitor.Text("typed_config", "@type").ShouldBe(TypePrefix + "extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig");
        }
    }

    [Fact]
    public async Task Generate_PerServiceOverride_OwnSidecarAndCallersClusterFollowIt()
    {
        using var mesh = new EnvoyTestMesh(policies: """
            upstreams:
              auth-service:
                connections:
                  max_active_downstream_connections: 777
                tls:
                  tls_minimum_protocol_version: TLSv1_3
            """);
        await mesh.IssueAllAsync();
        mesh.Generator.Generate().ShouldNotBeNull().Result.Succeeded.ShouldBeTrue();

        MaxConnections(mesh, "auth-service").ShouldBe("777");
        MaxConnections(mesh, "api-gateway").ShouldBe("50000");
        MinimumTls(PublicListenerTls(mesh, "auth-service")).ShouldBe("TLSv1_3");
        MinimumTls(PublicListenerTls(mesh, "api-gateway")).ShouldBe("TLSv1_2");
        var clusters = mesh.Yaml("api-gateway/cds.yaml").Resources();
        MinimumTls(clusters.Single(c => c.Text("name") == "auth-service").At("transport_socket", "typed_config")).ShouldBe("TLSv1_3");
        MinimumTls(clusters.Single(c => c.Text("name") == "lucid-mongodb").At("transport_socket", "typed_config")).ShouldBe("TLSv1_2");
    }

    private static string MaxConnections(EnvoyTestMesh mesh, string service) =>
        mesh.Yaml($"{service}.yaml").Items("overload_manager", "resource_monitors")[0].Text("typed_config", "max_active_downstream_connections");

    private static YamlNode PublicListenerTls(EnvoyTestMesh mesh, string service) =>
        mesh.Yaml($"{service}/lds.yaml").Resources().Single(l => l.Text("name") == "public_listener").Items("filter_chains")[0].At("transport_socket", "typed_config");

    private static string MinimumTls(YamlNode context) => context.Text("common_tls_context", "tls_params", "tls_minimum_protocol_version");

    private static List<string> Values(EnvoyTestMesh mesh, string place, string path)
    {
        var values = Nodes(mesh, place).Select(node => Value(node, path)).ToList();
        values.ShouldNotBeEmpty($"no {place} written");
        return values;
    }

    private static string Value(YamlNode node, string path)
    {
        foreach (var key in path.Split('.'))
        {
            node = node is YamlSequenceNode sequence ? sequence.Children[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] : node.At(key);
        }

        return node is YamlSequenceNode list ? string.Join(",", list.Children.Cast<YamlScalarNode>().Select(s => s.Value)) : ((YamlScalarNode)node).Value!;
    }

    /// <summary>Every bootstrap, listener, cluster, HTTP connection manager or TLS context the mesh wrote.</summary>
    private static IEnumerable<YamlMappingNode> Nodes(EnvoyTestMesh mesh, string place) => EnvoyTestMesh.Services.SelectMany(service => place switch
    {
        "bootstrap" => [mesh.Yaml($"{service}.yaml")],
        "listener" => mesh.Yaml($"{service}/lds.yaml").Resources(),
        "cluster" => mesh.Yaml($"{service}/cds.yaml").Resources(),
        "http" => Typed(mesh, service, "extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
        "tls" => Typed(mesh, service, "extensions.transport_sockets.tls.v3.DownstreamTlsContext")
            .Concat(Typed(mesh, service, "extensions.transport_sockets.tls.v3.UpstreamTlsContext")),
        _ => throw new ArgumentOutOfRangeException(nameof(place), place, null),
    });

    private static IEnumerable<YamlMappingNode> Typed(EnvoyTestMesh mesh, string service, string type) =>
        new[] { "lds.yaml", "cds.yaml" }.SelectMany(f => mesh.Yaml($"{service}/{f}").MappingsWith("@type")).Where(m => m.Text("@type") == TypePrefix + type);

    /// <summary>One mesh without policies.yaml, one with <see cref="Overrides"/>, each generated once.</summary>
    public sealed class Meshes : IAsyncLifetime, IDisposable
    {
        internal EnvoyTestMesh Defaults { get; } = new();

        internal EnvoyTestMesh Configured { get; } = new(policies: Overrides);

        public async Task InitializeAsync()
        {
            foreach (var mesh in new[] { Defaults, Configured })
            {
                await mesh.IssueAllAsync();
                mesh.Generator.Generate().ShouldNotBeNull().Result.Succeeded.ShouldBeTrue();
            }
        }

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose()
        {
            Defaults.Dispose();
            Configured.Dispose();
        }
    }
}
