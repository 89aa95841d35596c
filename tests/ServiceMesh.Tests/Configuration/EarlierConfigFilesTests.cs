using System.Globalization;
using System.Net;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Configuration;

/// <summary>The earlier image's service-mesh.yaml and services.yaml in CONFIG_PATH: mapped where they mean something, the rest named once.</summary>
public sealed class EarlierConfigFilesTests : IDisposable
{
    // The key tree of the earlier image's service-mesh.yaml, with its ${VAR:-default} placeholders.
    private const string EarlierMeshYaml = """
        service_mesh:
          name: ${SERVICE_MESH_NAME:-lucid-service-mesh}
          version: ${SERVICE_MESH_VERSION:-1.0.0}
          namespace: ${LUCID_NAMESPACE:-lucid}
          controller:
            host: ${SERVICE_MESH_HOST:-0.0.0.0}
            http_port: ${HTTP_PORT:-8088}
            consul_port: ${SERVICE_MESH_PORT:-8500}
            log_level: ${LOG_LEVEL:-INFO}
            debug: ${DEBUG:-false}
          discovery:
            backend: ${DISCOVERY_BACKEND:-consul}
            consul:
              host: ${CONSUL_HOST:-localhost}
              port: ${CONSUL_PORT:-8500}
              datacenter: ${CONSUL_DATACENTER:-lucid-dc}
              bootstrap_expect: 1
              ui_enabled: true
              connect_enabled: true
            service_ttl: 60
            health_check_interval: 30
            deregister_critical_after: 90s
          sidecar:
            envoy:
              admin_port: ${ENVOY_ADMIN_PORT:-9901}
              proxy_port: 15001
              config_path: ${ENVOY_CONFIG_PATH:-/app/envoy-configs}
              log_level: info
          security:
            mtls:
              enabled: true
              cert_validity_days: ${CERT_VALIDITY_DAYS:-90}
              ca_validity_days: ${CA_VALIDITY_DAYS:-365}
              key_size: 2048
              auto_rotate: true
              rotation_threshold_days: ${CERT_ROTATION_THRESHOLD:-30}
            certificates:
              path: ${CERTIFICATES_PATH:-/app/certificates}
              country: US
              organization: Lucid
          networking:
            default_timeout: 30
            circuit_breaker:
              enabled: true
              failure_threshold: 5
            load_balancing:
              policy: ${LOAD_BALANCING_POLICY:-ROUND_ROBIN}
          logging:
            level: ${LOG_LEVEL:-INFO}
            format: ${LOG_FORMAT:-json}
            output: stdout
            file_path: ${LOG_FILE_PATH:-/app/logs/service-mesh.log}
          metrics:
            enabled: true
            port: ${METRICS_PORT:-9090}
            path: /metrics
            labels:
              service: ${SERVICE_NAME:-service-mesh-controller}
        clusters:
          foundation:
            description: Foundation services
            health_check_interval: 30
          support:
            description: Support and monitoring services
            health_check_interval: 60
        default_policies:
          retry:
            max_attempts: 3
          timeout:
            connect_timeout_ms: 5000
        """;

    // The earlier services.yaml: a map of services, placeholders for hosts and ports, health_check and metadata.
    private const string EarlierServicesYaml = """
        services:
          lucid-mongodb:
            name: ${MONGODB_SERVICE_NAME:-lucid-mongodb}
            address: ${MONGODB_HOST:-lucid-mongodb}
            port: ${MONGODB_PORT:-27017}
            protocol: tcp
            tags: [foundation, database]
            health_check:
              type: tcp
              interval: ${MONGODB_HEALTH_CHECK_INTERVAL:-30s}
              timeout: ${MONGODB_HEALTH_CHECK_TIMEOUT:-10s}
            metadata:
              cluster: foundation
              priority: critical
          api-gateway:
            name: ${API_GATEWAY_SERVICE_NAME:-api-gateway}
            address: ${API_GATEWAY_HOST:-api-gateway}
            port: ${API_GATEWAY_PORT:-8080}
            protocol: http
            tags: [core, gateway]
            health_check:
              type: http
              path: ${API_GATEWAY_HEALTH_PATH:-/health}
              interval: 30s
              timeout: 10s
            metadata:
              cluster: core
          service-mesh:
            name: service-mesh
            address: ${SERVICE_MESH_HOST:-service-mesh}
            port: ${SERVICE_MESH_PORT:-8500}
            protocol: http
            tags: [core, mesh, discovery]
            health_check:
              type: http
              path: /health
              interval: 30s
              timeout: 10s
            metadata:
              cluster: core
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private MeshConfigurationResult Load(Dictionary<string, string?> environment)
    {
        environment.TryAdd("CONFIG_PATH", _folder.Combine("config"));
        return MeshConfiguration.Load(environment);
    }

    [Fact]
    public void Load_EarlierServiceMeshYaml_MappedValuesInForceAndOneWarningNamingTheIgnoredKeys()
    {
        _folder.WriteFile("config/service-mesh.yaml", EarlierMeshYaml);

        var result = Load(new() { ["CONSUL_DATACENTER"] = "lucid-east", ["ENVOY_ADMIN_PORT"] = "" });

        result.Problems.ShouldBeEmpty();
        var options = result.Options!;
        options.HttpPort.ShouldBe(8088);
        options.EmbeddedConsulHttpPort.ShouldBe(8500);
        options.CertValidityDays.ShouldBe(90, "security.mtls.cert_validity_days");
        options.CaValidityDays.ShouldBe(365);
        options.ConsulDatacenter.ShouldBe("lucid-east", "the placeholder takes the environment's value");
        options.EnvoyAdminPort.ShouldBe(9901, "an empty variable counts as unset, so the placeholder's default applies");
        var warning = result.Warnings.ShouldHaveSingleItem();
        warning.ShouldStartWith($"{_folder.Combine("config/service-mesh.yaml")} is the earlier image's format: used service_mesh.controller.host as SERVICE_MESH_HOST, service_mesh.controller.http_port as HTTP_PORT");
        warning.ShouldContain("service_mesh.security.mtls.cert_validity_days as CERT_VALIDITY_DAYS");
        var ignored = warning[(warning.IndexOf("ignored (no meaning here): ", StringComparison.Ordinal) + 27)..].Split(", ");
        foreach (var key in new[] { "service_mesh.name", "service_mesh.controller.debug", "service_mesh.discovery.backend", "service_mesh.discovery.consul.bootstrap_expect",
                     "service_mesh.networking", "service_mesh.metrics", "service_mesh.logging.output", "clusters", "default_policies" })
        {
            ignored.ShouldContain(key);
        }

        ignored.ShouldNotContain("service_mesh.controller.http_port");
    }

    [Fact]
    public void Load_EarlierServiceMeshYaml_EnvironmentStillWins()
    {
        _folder.WriteFile("config/service-mesh.yaml", EarlierMeshYaml.Replace("${CERT_VALIDITY_DAYS:-90}", "30", StringComparison.Ordinal));

        var options = Load(new() { ["CERT_VALIDITY_DAYS"] = "7", ["HTTP_PORT"] = "9100" }).Options!;

        options.CertValidityDays.ShouldBe(7);
        options.HttpPort.ShouldBe(9100);
    }

    [Fact]
    public void Load_EarlierHostIsAHostname_IgnoredAndNamedNotFatal()
    {
        _folder.WriteFile("config/service-mesh.yaml", "service_mesh:\n  controller:\n    host: service-mesh\n    http_port: 8089\n");

        var result = Load([]);

        result.Problems.ShouldBeEmpty();
        result.Options!.BindAddress.ShouldBe(IPAddress.Any);
        result.Options.HttpPort.ShouldBe(8089);
        result.Warnings.Single().ShouldContain("service_mesh.controller.host ('service-mesh' is not an IP address)");
    }

    [Fact]
    public void Load_EarlierMappedValueInvalid_Exits78NamingTheEarlierKey()
    {
        _folder.WriteFile("config/service-mesh.yaml", "service_mesh:\n  controller:\n    http_port: ${NO_SUCH_VARIABLE:-web}\n");

        var problem = Load([]).Problems.ShouldHaveSingleItem();

        problem.ShouldContain("HTTP_PORT='web'");
        problem.ShouldContain("key service_mesh.controller.http_port");
    }

    [Fact]
    public void Load_TodaysFormatWithUnknownKey_StillRefused()
    {
        _folder.WriteFile("config/service-mesh.yaml", "server:\n  http_prot: 8088\n");

        Load([]).Problems.ShouldHaveSingleItem().ShouldContain("unknown setting");
    }

    [Fact]
    public void Parse_EarlierServicesYaml_ServicesWithChecksAndOneWarning()
    {
        var (definitions, problems) = ServiceDefinitionsFile.Parse("services.yaml", EarlierServicesYaml,
            new Dictionary<string, string?> { ["API_GATEWAY_PORT"] = "8081", ["SERVICE_MESH_HOST"] = "" });

        problems.ShouldBeEmpty();
        definitions.Services.Select(s => s.Name).ShouldBe(["lucid-mongodb", "api-gateway", "service-mesh"]);
        var mongodb = definitions.Find("lucid-mongodb")!;
        (mongodb.Address, mongodb.Port, mongodb.Protocol).ShouldBe(("lucid-mongodb", 27017, ServiceProtocol.Tcp));
        mongodb.Check.ShouldBe(new CheckSpec(null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), null));
        var gateway = definitions.Find("api-gateway")!;
        (gateway.Port, gateway.Check!.HttpPath).ShouldBe((8081, "/health"));
        gateway.Tags.ShouldBe(["core", "gateway"]);
        definitions.Find("service-mesh")!.Address.ShouldBe("service-mesh");
        definitions.Warning.ShouldBe("services.yaml is the earlier image's format: read 3 service(s) (lucid-mongodb, api-gateway, service-mesh); "
            + "ignored (no meaning here): services.lucid-mongodb.metadata, services.api-gateway.metadata, services.service-mesh.metadata");
    }

    [Fact]
    public void Parse_EarlierServicesYamlWithBadPort_ProblemNamesTheEntry()
    {
        var (_, problems) = ServiceDefinitionsFile.Parse("services.yaml", "services:\n  cache:\n    port: ${REDIS_PORT:-redis}\n", new Dictionary<string, string?>());

        problems.ShouldHaveSingleItem().ShouldBe("services.yaml line 3, key 'services.cache.port': expected a port from 1 to 65535, found 'redis'");
    }

    [Fact]
    public async Task Run_EarlierFilesInConfigPath_StartsWithOneWarningPerFileAndServicesInTheCatalog()
    {
        _folder.WriteFile("config/service-mesh.yaml", EarlierMeshYaml);
        _folder.WriteFile("config/services.yaml", EarlierServicesYaml);
        var environment = MeshEnvironment.For(_folder);
        environment["CERT_VALIDITY_DAYS"] = null;
        // The placeholders' defaults are container names, looked up through a resolver off loopback: point them at loopback.
        environment["MONGODB_HOST"] = "127.0.0.1";
        environment["API_GATEWAY_HOST"] = "127.0.0.1";
        var port = int.Parse(environment["HTTP_PORT"]!, CultureInfo.InvariantCulture);
        var consulPort = int.Parse(environment["EMBEDDED_CONSUL_HTTP_PORT"]!, CultureInfo.InvariantCulture);
        using var process = MeshProcess.Start(environment);
        await HttpWaits.WaitForListeningAsync(port, process, TimeSpan.FromSeconds(30));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var catalog = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !catalog.Contains("\"service-mesh\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            catalog = await client.GetStringAsync(new Uri($"http://127.0.0.1:{consulPort}/v1/catalog/services")); // the preload runs in the background
        }

        using var certificate = await client.PostAsync(new Uri($"http://127.0.0.1:{port}/certificates/api-gateway"), null);
        var certificateText = await certificate.Content.ReadAsStringAsync();
        certificate.IsSuccessStatusCode.ShouldBeTrue(certificateText);
        var issued = System.Text.Json.JsonDocument.Parse(certificateText).RootElement;
        process.Terminate();
        var result = await process.WaitAsync(TimeSpan.FromSeconds(15));

        catalog.ShouldContain("\"lucid-mongodb\"");
        catalog.ShouldContain("\"api-gateway\"");
        catalog.ShouldContain("\"service-mesh\"");
        var lifetime = DateTime.Parse(issued.GetProperty("not_after").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            - DateTime.Parse(issued.GetProperty("not_before").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        lifetime.TotalDays.ShouldBe(90, tolerance: 1, "cert_validity_days from the earlier file");
        var warnings = result.ErrorLines.Where(l => l.StartsWith("configuration warning:", StringComparison.Ordinal)).ToList();
        warnings.Count.ShouldBe(2);
        warnings[0].ShouldContain("service-mesh.yaml is the earlier image's format");
        warnings[0].ShouldContain("default_policies");
        warnings[1].ShouldContain("services.yaml is the earlier image's format: read 3 service(s)");
        result.ExitCode.ShouldBe(0);
    }
}
