using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Tests.Envoy;

/// <summary>The generated files for a small mesh, read back as YAML and checked against Envoy's v3 API.</summary>
public sealed partial class EnvoyGoldenTests : IAsyncLifetime, IDisposable
{
    private const string TypePrefix = "type.googleapis.com/envoy.";
    private readonly EnvoyTestMesh _mesh = new();

    public async Task InitializeAsync()
    {
        await _mesh.IssueAllAsync();
        _mesh.Generator.Generate().ShouldNotBeNull().Result.Succeeded.ShouldBeTrue();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public void Generate_SmallMesh_WritesBootstrapAndFourWatchedFilesPerService()
    {
        _mesh.Files().ShouldBe(EnvoyTestMesh.Services.SelectMany(s => new[]
        {
            $"{s}.yaml", $"{s}/cds.yaml", $"{s}/lds.yaml", $"{s}/sds-ca.yaml", $"{s}/sds-cert.yaml",
        }).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void Generate_SmallMesh_EveryDocumentHasTheV3TypesAndNoDeprecatedFields()
    {
        foreach (var service in EnvoyTestMesh.Services)
        {
            ResourceTypes($"{service}/cds.yaml").ShouldAllBe(t => t == TypePrefix + "config.cluster.v3.Cluster");
            ResourceTypes($"{service}/lds.yaml").ShouldAllBe(t => t == TypePrefix + "config.listener.v3.Listener");
            ResourceTypes($"{service}/sds-cert.yaml").ShouldBe([TypePrefix + "extensions.transport_sockets.tls.v3.Secret"]);
            ResourceTypes($"{service}/sds-ca.yaml").ShouldBe([TypePrefix + "extensions.transport_sockets.tls.v3.Secret"]);
            foreach (var file in new[] { $"{service}.yaml", $"{service}/cds.yaml", $"{service}/lds.yaml", $"{service}/sds-cert.yaml", $"{service}/sds-ca.yaml" })
            {
                var scalars = _mesh.Yaml(file).Scalars().ToList();
                scalars.Where(s => s.Key == "@type").ShouldAllBe(s => s.Value.StartsWith(TypePrefix) && !s.Value.Contains(".v2."));
                scalars.Select(s => s.Key).ShouldNotContain("match_subject_alt_names");
                scalars.Select(s => s.Key).ShouldNotContain("access_log_path");
                scalars.Where(s => s.Key is "connect_timeout" or "timeout" or "interval" or "base_ejection_time" or "stats_flush_interval"
                        or "stream_idle_timeout" or "request_headers_timeout")
                    .ShouldAllBe(s => DurationString().IsMatch(s.Value), $"durations in {file} are protobuf JSON strings");
                // Every config source uses path_config_source (ConfigSource.path is deprecated) and V3 resources.
                foreach (var source in _mesh.Yaml(file).MappingsWith("path_config_source"))
                {
                    source.Has("path").ShouldBeFalse();
                    source.Text("resource_api_version").ShouldBe("V3");
                }
            }
        }
    }

    [Fact]
    public void Generate_SmallMesh_BootstrapHasNodeLoopbackAdminWatchedDynamicResourcesAndRuntime()
    {
        var bootstrap = _mesh.Yaml("api-gateway.yaml");
        bootstrap.Text("node", "id").ShouldBe("api-gateway-sidecar-proxy");
        bootstrap.Text("node", "cluster").ShouldBe("api-gateway");
        bootstrap.Text("admin", "address", "socket_address", "address").ShouldBe("127.0.0.1");
        bootstrap.Text("admin", "address", "socket_address", "port_value").ShouldBe(_mesh.State.Latest!.Specs.Single(s => s.Name == "api-gateway").AdminPort.ToString(CultureInfo.InvariantCulture));
        _mesh.State.Latest!.Specs.Single(s => s.Name == "api-gateway").AdminPort.ShouldBeInRange(19000, 19999);
        foreach (var (key, file) in new[] { ("cds_config", "cds.yaml"), ("lds_config", "lds.yaml") })
        {
            bootstrap.Text("dynamic_resources", key, "path_config_source", "path").ShouldBe(_mesh.PathOf($"api-gateway/{file}"));
            bootstrap.Text("dynamic_resources", key, "path_config_source", "watched_directory", "path").ShouldBe(_mesh.PathOf("api-gateway"));
        }
        bootstrap.Items("layered_runtime", "layers").Count.ShouldBe(2);
        bootstrap.Text("stats_config", "use_all_default_tags").ShouldBe("true");
    }

    [Fact]
    public void Generate_SmallMesh_EveryClusterNamedByAListenerExistsInCds()
    {
        foreach (var service in EnvoyTestMesh.Services)
        {
            var clusters = _mesh.Yaml($"{service}/cds.yaml").Resources().Select(c => c.Text("name")).ToList();
            var named = _mesh.Yaml($"{service}/lds.yaml").Scalars().Where(s => s.Key == "cluster").Select(s => s.Value).Distinct().ToList();
            named.ShouldNotBeEmpty();
            named.ShouldAllBe(name => clusters.Contains(name), $"{service}: listeners name {string.Join(", ", named)}, CDS has {string.Join(", ", clusters)}");
            clusters.Count.ShouldBe(4); // local_app, self_admin (the Prometheus and ready listeners) + two upstreams
        }
    }

    [Fact]
    public void Generate_SmallMesh_EverySdsNameHasItsSecretInTheReferencedFile()
    {
        foreach (var service in EnvoyTestMesh.Services)
        {
            var references = new[] { "cds.yaml", "lds.yaml" }
                .SelectMany(f => _mesh.Yaml($"{service}/{f}").MappingsWith("sds_config")).ToList();
            references.Count.ShouldBeGreaterThan(0);
            foreach (var reference in references)
            {
                var file = reference.Text("sds_config", "path_config_source", "path");
                File.Exists(file).ShouldBeTrue(file);
                var secretFile = new YamlStream();
                secretFile.Load(new StringReader(File.ReadAllText(file)));
                ((YamlMappingNode)secretFile.Documents[0].RootNode).Resources().Select(r => r.Text("name")).ShouldContain(reference.Text("name"));
            }
        }
    }

    [Fact]
    public void Generate_SmallMesh_EveryReferencedPathExists()
    {
        foreach (var file in _mesh.Files())
        {
            var document = _mesh.Yaml(file);
            // http_health_check.path and route matches are URL paths, not files; json_format holds access-log operators
            var urlPaths = document.MappingsWith("http_health_check").Select(m => m.Text("http_health_check", "path"))
                .Concat(document.MappingsWith("match").Where(m => m.At("match").Has("path")).Select(m => m.Text("match", "path")))
                .Concat(document.MappingsWith("json_format").SelectMany(m => m.At("json_format").Scalars().Select(s => s.Value))).ToHashSet();
            var paths = document.Scalars().Where(s => s.Key is "path" or "filename" && !urlPaths.Contains(s.Value)).Select(s => s.Value).ToList();
            foreach (var path in paths)
            {
                (File.Exists(path) || Directory.Exists(path)).ShouldBeTrue($"{file} references {path}");
            }
        }
    }

    [Fact]
    public void Generate_SmallMesh_InboundListenerRequiresClientCertificatesThenRbacThenLocalApp()
    {
        var listener = _mesh.Yaml("auth-service/lds.yaml").Resources().Single(l => l.Text("name") == "public_listener");
        listener.Text("address", "socket_address", "address").ShouldBe("0.0.0.0");
        listener.Text("address", "socket_address", "port_value").ShouldBe("21001");
        var chain = listener.Items("filter_chains").Single();
        var tls = chain.At("transport_socket", "typed_config");
        tls.Text("@type").ShouldBe(TypePrefix + "extensions.transport_sockets.tls.v3.DownstreamTlsContext");
        tls.Text("require_client_certificate").ShouldBe("true");
        tls.Text("common_tls_context", "validation_context_sds_secret_config", "name").ShouldBe("trust_bundle");
        var filters = chain.Items("filters");
        filters.Select(f => f.Text("name")).ShouldBe(["envoy.filters.network.rbac", "envoy.filters.network.http_connection_manager"]);
        var manager = filters[1].At("typed_config");
        manager.Text("@type").ShouldBe(TypePrefix + "extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
        manager.At("route_config").Items("virtual_hosts").Single().Items("routes").Single().Text("route", "cluster").ShouldBe("local_app");
        manager.Text("forward_client_cert_details").ShouldBe("SANITIZE_SET"); // the app sees the verified caller, never a forged header
    }

    [Fact]
    public void Generate_DefaultPolicies_RbacAdmitsTheWholeTrustDomainOnly()
    {
        var rbac = _mesh.Yaml("lucid-mongodb/lds.yaml").Resources().Single(l => l.Text("name") == "public_listener")
            .Items("filter_chains")[0].Items("filters")[0].At("typed_config");
        rbac.Text("@type").ShouldBe(TypePrefix + "extensions.filters.network.rbac.v3.RBAC");
        rbac.Text("rules", "action").ShouldBe("ALLOW");
        var principals = rbac.At("rules", "policies", "allowed-callers").Items("principals");
        principals.Single().Text("authenticated", "principal_name", "prefix").ShouldBe("spiffe://lucid.test/");
        // a TCP service is proxied with tcp_proxy to the local application
        _mesh.Yaml("lucid-mongodb/lds.yaml").Resources().Single(l => l.Text("name") == "public_listener")
            .Items("filter_chains")[0].Items("filters")[1].Text("typed_config", "cluster").ShouldBe("local_app");
    }

    [Fact]
    public void Generate_SmallMesh_UpstreamClustersVerifyTheUpstreamSpiffeIdTheCertificateManagerIssued()
    {
        foreach (var service in EnvoyTestMesh.Services)
        {
            foreach (var cluster in _mesh.Yaml($"{service}/cds.yaml").Resources().Where(c => c.Text("name") is not ("local_app" or "self_admin")))
            {
                var upstream = cluster.Text("name");
                var tls = cluster.At("transport_socket", "typed_config");
                tls.Text("@type").ShouldBe(TypePrefix + "extensions.transport_sockets.tls.v3.UpstreamTlsContext");
                tls.Text("sni").ShouldBe(upstream);
                var matcher = tls.At("common_tls_context", "combined_validation_context", "default_validation_context").Items("match_typed_subject_alt_names").Single();
                matcher.Text("san_type").ShouldBe("URI");
                matcher.Text("matcher", "exact").ShouldBe(IssuedUriSan(upstream));
            }
        }
    }

    [Fact]
    public void Generate_SmallMesh_UpstreamClustersHavePassingEndpointsAndEveryRequiredPolicyField()
    {
        var cluster = _mesh.Yaml("api-gateway/cds.yaml").Resources().Single(c => c.Text("name") == "auth-service");
        cluster.Text("type").ShouldBe("STATIC");
        cluster.Text("connect_timeout").ShouldBe("5s");
        cluster.At("load_assignment").Items("endpoints")[0].Items("lb_endpoints")
            .Select(e => $"{e.Text("endpoint", "address", "socket_address", "address")}:{e.Text("endpoint", "address", "socket_address", "port_value")}")
            .ShouldBe(["10.0.0.11:21001", "10.0.0.12:21001"]);
        var check = cluster.Items("health_checks").Single();
        check.Text("timeout").ShouldBe("2s");
        check.Text("interval").ShouldBe("10s");
        check.Text("unhealthy_threshold").ShouldBe("3");
        check.Text("healthy_threshold").ShouldBe("2");
        check.Text("http_health_check", "path").ShouldBe("/health");
        cluster.Text("outlier_detection", "consecutive_5xx").ShouldBe("5");
        cluster.Text("outlier_detection", "base_ejection_time").ShouldBe("30s");
        cluster.At("circuit_breakers").Items("thresholds").Single().Text("max_connections").ShouldBe("1024");
        _mesh.Yaml("api-gateway/cds.yaml").Resources().Single(c => c.Text("name") == "lucid-mongodb")
            .Items("health_checks").Single().Has("tcp_health_check").ShouldBeTrue();
    }

    [Fact]
    public void Generate_SmallMesh_OutboundListenersBindLoopbackAtTheLocalBindPorts()
    {
        var listeners = _mesh.Yaml("api-gateway/lds.yaml").Resources().Where(l => l.Text("name").StartsWith("upstream_", StringComparison.Ordinal)).ToList();
        listeners.Select(l => (l.Text("address", "socket_address", "address"), l.Text("address", "socket_address", "port_value")))
            .ShouldBe([("127.0.0.1", "9001"), ("127.0.0.1", "9002")]);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Generate_SmallMesh_CertificateSecretCarriesTheIssuedPairInlineInAFileOnlyTheSidecarUserReads()
    {
        var certificate = _mesh.Yaml("api-gateway/sds-cert.yaml").Resources().Single();
        certificate.Text("name").ShouldBe("service_cert");
        // One rename of sds-cert.yaml carries certificate and key together: no file names, nothing else to watch.
        var generation = Path.Combine(_mesh.Options.CertificatesPath, ".svid", "api-gateway", "current");
        certificate.Text("tls_certificate", "certificate_chain", "inline_string").ShouldBe(File.ReadAllText(Path.Combine(generation, "svid.crt")));
        certificate.Text("tls_certificate", "private_key", "inline_string").ShouldBe(File.ReadAllText(Path.Combine(generation, "svid.key")));
        certificate.At("tls_certificate").Has("watched_directory").ShouldBeFalse();
        certificate.At("tls_certificate", "certificate_chain").Has("filename").ShouldBeFalse();
        File.GetUnixFileMode(_mesh.PathOf("api-gateway/sds-cert.yaml")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(_mesh.PathOf("api-gateway/sds-ca.yaml")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.GetUnixFileMode(_mesh.PathOf("api-gateway")).ShouldBe((UnixFileMode)0b111_101_101, "cds, lds and sds-ca stay reachable for an Envoy of another user");
        var bundle = _mesh.Yaml("api-gateway/sds-ca.yaml").Resources().Single();
        bundle.Text("validation_context", "trusted_ca", "filename").ShouldBe(Path.Combine(_mesh.Options.CertificatesPath, "ca.crt"));
        // Inline, so a new list changes the Secret itself, which every Envoy version reloads.
        bundle.Text("validation_context", "crl", "inline_string").ShouldBe(File.ReadAllText(Path.Combine(_mesh.Options.CertificatesPath, "ca.crl")));
        bundle.Text("validation_context", "crl", "inline_string").ShouldStartWith("-----BEGIN X509 CRL-----");
        bundle.Text("validation_context", "only_verify_leaf_cert_crl").ShouldBe("true");
    }

    private IReadOnlyList<string> ResourceTypes(string file) => [.. _mesh.Yaml(file).Resources().Select(r => r.Text("@type"))];

    private string IssuedUriSan(string service)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(Path.Combine(_mesh.Options.CertificatesPath, service + ".crt"));
        return ServiceMesh.Certificates.SubjectAlternativeNames.Uris(chain[0]).Single();
    }

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?s$")]
    private static partial Regex DurationString();
}
