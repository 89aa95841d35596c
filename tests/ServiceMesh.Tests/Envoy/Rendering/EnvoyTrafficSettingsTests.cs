using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Tests.Envoy.Rendering;

/// <summary>
/// HTTP/2 and gRPC members, route retries and JSON access logs, each read back from the files the generator wrote for
/// <see cref="EnvoyTestMesh.ProtocolTopology"/> (web calls an HTTP/1.1, a gRPC, an HTTP/2 and a TCP service).
/// </summary>
public sealed class EnvoyTrafficSettingsTests
{
    private const string ProtocolOptions = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    [Fact]
    public void Generate_GrpcMember_AlpnH2AndHttp2OnBothSidesOfBothSidecars()
    {
        using var mesh = Generated();

        var inbound = Listener(mesh, "grpc-api", "public_listener").Items("filter_chains").Single();
        inbound.At("transport_socket", "typed_config", "common_tls_context").Items("alpn_protocols").Select(Scalar).ShouldBe(["h2", "http/1.1"]);
        var manager = inbound.Items("filters")[1].At("typed_config");
        manager.Text("codec_type").ShouldBe("AUTO");
        manager.Has("http2_protocol_options").ShouldBeTrue();
        Http2Options(Cluster(mesh, "grpc-api", "local_app")).ShouldBeTrue("the gRPC app is spoken to in h2c");

        var upstream = Cluster(mesh, "web", "grpc-api");
        upstream.At("transport_socket", "typed_config", "common_tls_context").Items("alpn_protocols").Select(Scalar).ShouldBe(["h2"]);
        Http2Options(upstream).ShouldBeTrue();
        Listener(mesh, "web", "upstream_grpc-api").Items("filter_chains").Single().Items("filters").Single().At("typed_config")
            .Has("http2_protocol_options").ShouldBeTrue();
    }

    [Fact]
    public void Generate_GrpcAndHttp2Upstreams_HealthChecksSpeakTheirProtocol()
    {
        using var mesh = Generated();

        var grpc = Cluster(mesh, "web", "grpc-api").Items("health_checks").Single();
        grpc.Has("grpc_health_check").ShouldBeTrue();
        grpc.Has("http_health_check").ShouldBeFalse();
        var http2 = Cluster(mesh, "web", "h2-api").Items("health_checks").Single();
        (http2.Text("http_health_check", "path"), http2.Text("http_health_check", "codec_client_type")).ShouldBe(("/health", "HTTP2"));
        Http2Options(Cluster(mesh, "web", "h2-api")).ShouldBeTrue();
        Cluster(mesh, "web", "auth-service").Items("health_checks").Single().At("http_health_check").Has("codec_client_type").ShouldBeFalse();
    }

    [Fact]
    public void Generate_Http1AndTcpMembers_NoAlpnAndNoProtocolOptions()
    {
        using var mesh = Generated();

        foreach (var (service, cluster) in new[] { ("web", "auth-service"), ("web", "lucid-mongodb"), ("web", "local_app"), ("lucid-mongodb", "local_app") })
        {
            Cluster(mesh, service, cluster).Has("typed_extension_protocol_options").ShouldBeFalse($"{service}: {cluster}");
        }
        Listener(mesh, "web", "public_listener").Items("filter_chains").Single().At("transport_socket", "typed_config", "common_tls_context")
            .Has("alpn_protocols").ShouldBeFalse();
    }

    [Fact]
    public void Generate_DefaultRetries_OutboundRoutesRetryTwiceOnAnotherHostAndInboundNever()
    {
        using var mesh = Generated();

        var http = Retry(mesh, "web", "upstream_auth-service")!;
        http.Text("retry_on").ShouldBe("connect-failure,refused-stream,reset");
        http.Text("num_retries").ShouldBe("2");
        http.Has("per_try_timeout").ShouldBeFalse();
        http.Items("retry_host_predicate").Single().Text("name").ShouldBe("envoy.retry_host_predicates.previous_hosts");
        http.Items("retry_host_predicate").Single().Text("typed_config", "@type")
            .ShouldBe("type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate");
        http.Text("host_selection_retry_max_attempts").ShouldBe("5");
        Retry(mesh, "web", "upstream_grpc-api")!.Text("retry_on").ShouldBe("connect-failure,refused-stream,reset,cancelled,unavailable");
        Retry(mesh, "auth-service", "public_listener").ShouldBeNull();
    }

    [Fact]
    public void Generate_RetriesFromPolicies_CountAndPerTryTimeoutReadBackAndZeroTurnsThemOff()
    {
        using var mesh = Generated("""
            upstream_defaults:
              retries:
                num_retries: 4
                per_try_timeout: 2500ms
            upstreams:
              h2-api:
                retries:
                  num_retries: 0
            """);

        var retry = Retry(mesh, "web", "upstream_auth-service")!;
        (retry.Text("num_retries"), retry.Text("per_try_timeout")).ShouldBe(("4", "2.5s"));
        Retry(mesh, "web", "upstream_h2-api").ShouldBeNull();
    }

    [Fact]
    public void Generate_DefaultPolicies_JsonAccessLogToStdoutOnEveryListenerWithThePeersSpiffeId()
    {
        using var mesh = Generated();

        var inbound = AccessLog(mesh, "web", "public_listener");
        inbound.Text("name").ShouldBe("envoy.access_loggers.stdout");
        inbound.Text("typed_config", "@type").ShouldBe("type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog");
        var fields = (YamlMappingNode)inbound.At("typed_config", "log_format", "json_format");
        fields.Children.Keys.Select(Scalar).ShouldBe(["start_time", "method", "path", "protocol", "response_code", "response_flags", "duration",
            "upstream_cluster", "upstream_host", "bytes_received", "bytes_sent", "peer_spiffe_id"]);
        fields.Text("method").ShouldBe("%REQ(:METHOD)%");
        fields.Text("peer_spiffe_id").ShouldBe("%DOWNSTREAM_PEER_URI_SAN%");
        AccessLog(mesh, "web", "upstream_auth-service").Text("typed_config", "log_format", "json_format", "peer_spiffe_id").ShouldBe("%UPSTREAM_PEER_URI_SAN%");

        var tcpInbound = AccessLog(mesh, "lucid-mongodb", "public_listener").At("typed_config", "log_format", "json_format");
        (tcpInbound.Text("peer_spiffe_id"), tcpInbound.Text("bytes_sent")).ShouldBe(("%DOWNSTREAM_PEER_URI_SAN%", "%BYTES_SENT%"));
        tcpInbound.Has("method").ShouldBeFalse();
        AccessLog(mesh, "web", "upstream_lucid-mongodb").Text("typed_config", "log_format", "json_format", "peer_spiffe_id").ShouldBe("%UPSTREAM_PEER_URI_SAN%");
    }

    [Fact]
    public void Generate_AccessLogFalse_NoListenerLogs()
    {
        using var mesh = Generated("access_log: false\n");

        foreach (var service in EnvoyTestMesh.ProtocolTopology().Members.Select(m => m.Name))
        {
            mesh.Yaml($"{service}/lds.yaml").MappingsWith("access_log").ShouldBeEmpty(service);
        }
    }

    private static EnvoyTestMesh Generated(string? policies = null)
    {
        var mesh = new EnvoyTestMesh(policies: policies);
        mesh.Inputs.Set(EnvoyTestMesh.ProtocolTopology());
        mesh.Generator.Generate().ShouldNotBeNull().Result.Succeeded.ShouldBeTrue();
        return mesh;
    }

    private static YamlMappingNode Listener(EnvoyTestMesh mesh, string service, string name) =>
        mesh.Yaml($"{service}/lds.yaml").Resources().Single(l => l.Text("name") == name);

    private static YamlMappingNode Cluster(EnvoyTestMesh mesh, string service, string name) =>
        mesh.Yaml($"{service}/cds.yaml").Resources().Single(c => c.Text("name") == name);

    private static YamlNode Proxy(EnvoyTestMesh mesh, string service, string listener) =>
        Listener(mesh, service, listener).Items("filter_chains").Single().Items("filters")[^1].At("typed_config");

    private static YamlNode? Retry(EnvoyTestMesh mesh, string service, string listener)
    {
        var route = Proxy(mesh, service, listener).At("route_config").Items("virtual_hosts").Single().Items("routes").Single().At("route");
        return route.Has("retry_policy") ? route.At("retry_policy") : null;
    }

    private static YamlNode AccessLog(EnvoyTestMesh mesh, string service, string listener) => Proxy(mesh, service, listener).Items("access_log").Single();

    private static bool Http2Options(YamlNode cluster) =>
        cluster.Has("typed_extension_protocol_options")
        && cluster.Text("typed_extension_protocol_options", ProtocolOptions, "@type") == "type.googleapis.com/" + ProtocolOptions
        && cluster.At("typed_extension_protocol_options", ProtocolOptions, "explicit_http_config").Has("http2_protocol_options");

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value!;
}
