using ServiceMesh.Discovery.Definitions;

namespace ServiceMesh.Tests.Discovery;

public sealed class ServiceDefinitionsFileTests
{
    [Fact]
    public void Load_ShippedServicesYaml_TenPlatformServicesWithIssuePortsAndChecks()
    {
        var (definitions, problems) = ServiceDefinitionsFile.Load(Path.Combine(AppContext.BaseDirectory, "config"), new Dictionary<string, string?>());

        problems.ShouldBeEmpty();
        definitions.Services.ToDictionary(s => s.Name, s => s.Port).ShouldBe(new Dictionary<string, int>
        {
            ["lucid-mongodb"] = 27017, ["lucid-redis"] = 6379, ["tor-proxy"] = 9050, ["api-gateway"] = 8080, ["auth-service"] = 8084,
            ["session-anchoring"] = 8085, ["block-manager"] = 8086, ["data-chain"] = 8087, ["blockchain-engine"] = 8082, ["service-mesh"] = 8088,
        }, ignoreOrder: true);
        definitions.Find("tor-proxy")!.ShouldSatisfyAllConditions(d => d.Protocol.ShouldBe(ServiceProtocol.Tcp), d => d.Check!.HttpPath.ShouldBeNull());
        // On the platform's network each service is reached by its container name, which is its service name.
        definitions.Find("api-gateway")!.ToRegistration().Check!.Http.ShouldBe("http://api-gateway:8080/health");
        definitions.Find("lucid-redis")!.ToRegistration().Check!.Tcp.ShouldBe("lucid-redis:6379");
    }

    [Fact]
    public void Load_ShippedServicesYamlWithDefaultAddress_EveryServiceOnThatAddress()
    {
        // SERVICES_DEFAULT_ADDRESS=127.0.0.1: the services share the host's network (the host-network override sets it).
        var (definitions, problems) = ServiceDefinitionsFile.Load(Path.Combine(AppContext.BaseDirectory, "config"), new Dictionary<string, string?>(), "127.0.0.1");

        problems.ShouldBeEmpty();
        definitions.Services.ShouldAllBe(s => s.Address == "127.0.0.1");
        definitions.Find("api-gateway")!.ToRegistration().Check!.Http.ShouldBe("http://127.0.0.1:8080/health");
    }

    [Fact]
    public void Parse_MeshSection_TypedUpstreams()
    {
        var (definitions, problems) = ServiceDefinitionsFile.Parse("services.yaml", """
            services:
              - name: api-gateway
                port: 8080
                mesh:
                  public_port: 21000
                  upstreams:
                    - { name: auth-service, local_bind_port: 22001 }
              - name: auth-service
                port: 8084
            """);

        problems.ShouldBeEmpty();
        definitions.Find("api-gateway")!.Mesh.ShouldSatisfyAllConditions(
            m => m!.PublicPort.ShouldBe(21000), m => m!.Upstreams.Single().ShouldBe(new UpstreamDefinition("auth-service", 22001)));
    }

    [Theory]
    [InlineData("http", nameof(ServiceProtocol.Http))]
    [InlineData("http2", nameof(ServiceProtocol.Http2))]
    [InlineData("grpc", nameof(ServiceProtocol.Grpc))]
    [InlineData("tcp", nameof(ServiceProtocol.Tcp))]
    public void Parse_Protocol_ReadAndRegisteredAsConsulMetaProtocol(string text, string protocol)
    {
        var (definitions, problems) = ServiceDefinitionsFile.Parse("services.yaml", $"services:\n  - name: a\n    port: 80\n    protocol: {text}\n");

        problems.ShouldBeEmpty();
        definitions.Find("a")!.Protocol.ToString().ShouldBe(protocol);
        definitions.Find("a")!.ToRegistration().Meta!["protocol"].ShouldBe(text);
    }

    [Theory]
    [InlineData("services:\n  - name: a\n    port: http\n", "services.yaml line 3, key 'services[0].port': expected a port from 1 to 65535, found 'http'")]
    [InlineData("services:\n  - name: Not_A_Label\n    port: 80\n", "services.yaml line 2, key 'services[0].name'")]
    [InlineData("services:\n  - name: a\n    port: 80\n    protocol: udp\n", "line 4, key 'services[0].protocol': expected http, http2, grpc or tcp")]
    [InlineData("services:\n  - name: a\n    port: 80\n    check: { http: health }\n", "key 'services[0].check.http': expected a path starting with '/'")]
    [InlineData("services:\n  - name: a\n    port: 80\n    mesh: { public_port: 1, upstreams: [ { name: b, local_bind_port: 2 } ] }\n", "'b' is not a service in this file")]
    [InlineData("services:\n  - name: a\n    port: 80\n    colour: red\n", "line 4, key 'services[0].colour': unknown key")]
    [InlineData("services:\n  - name: a\n    port: 80\n    mesh: { public_port: 9001, upstreams: [ { name: b, local_bind_port: 9001 } ] }\n  - name: b\n    port: 81\n", "local_bind_port 9001 is already the public_port")]
    [InlineData("services:\n  - name: a\n    port: [80\n", "services.yaml line")]
    [InlineData("services:\n  - name: a\n    tags: [x, y\n    port: 80\n", "services.yaml: malformed YAML: check brackets and quotes")] // YamlDotNet gives no position here
    [InlineData("services: [\n", "services.yaml line 2, column 1, key 'services': malformed YAML")]
    [InlineData("services:\n  - name: a\n    port: 80\n    check: { http: /health, timeout: 1200h }\n", "key 'services[0].check.timeout': expected a duration from 1ms to 5m such as 250ms, 5s or 1m30s, found '1200h'")]
    [InlineData("services:\n  - name: a\n    port: 80\n    check: { tcp: true, interval: 1000h }\n", "key 'services[0].check.interval': expected a duration from 1ms to 24h such as 250ms, 5s or 1m30s, found '1000h'")]
    // No address and no (valid) name to default it from: the name's problem, not a crash.
    [InlineData("services:\n  - port: 8080\n", "key 'services[0].name'")]
    [InlineData("services:\n  - name: \"bad name\"\n    port: 8080\n", "key 'services[0].name'")]
    [InlineData("services:\n  \"bad key\":\n    port: 8080\n", "'services.bad key.name'")]
    public void Parse_Malformed_ProblemWithFileLineAndKey(string text, string expected)
    {
        var (definitions, problems) = ServiceDefinitionsFile.Parse("services.yaml", text);

        definitions.Services.ShouldBeEmpty();
        problems.ShouldContain(p => p.Contains(expected), $"got: {string.Join(" | ", problems)}");
    }
}
