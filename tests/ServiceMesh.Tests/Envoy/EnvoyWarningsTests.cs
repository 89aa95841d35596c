using Microsoft.Extensions.Logging;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Envoy;

/// <summary>Upstreams that can never work: still generated, named with the reason in the spec, logged once when they appear.</summary>
public sealed class EnvoyWarningsTests : IDisposable
{
    private const string OnlyAuthCallsMongodb = """
        default: allow
        allow:
          - from: auth-service
            to: [lucid-mongodb]
        """;

    private readonly EnvoyTestMesh _mesh = new(policies: OnlyAuthCallsMongodb);
    private readonly LogCapture _logs = new();
    private readonly ILoggerFactory _factory;
    private readonly EnvoyGenerator _generator;

    public EnvoyWarningsTests()
    {
        _factory = LoggerFactory.Create(builder => builder.AddProvider(_logs));
        _generator = new EnvoyGenerator(_mesh.Settings, _mesh.Planner, _mesh.Policies, [_mesh.Inputs], _mesh.State,
            _factory.CreateLogger<EnvoyGenerator>(), _mesh.Time);
        _mesh.Inputs.Set(Topology(withBilling: false));
    }

    public void Dispose()
    {
        _factory.Dispose();
        _mesh.Dispose();
    }

    [Fact]
    public void Generate_DeniedAndUnregisteredUpstreams_GeneratedAndNamedWithTheReason()
    {
        var generation = _generator.Generate().ShouldNotBeNull();

        var gateway = generation.Specs.Single(s => s.Name == "api-gateway");
        gateway.Warnings.ShouldBe(["upstream 'lucid-mongodb' denies 'api-gateway' in policies.yaml", "upstream 'billing' is not registered"]);
        generation.Specs.Single(s => s.Name == "auth-service").Warnings.ShouldBeEmpty("auth-service is the one caller lucid-mongodb admits");
        var listeners = _mesh.Yaml("api-gateway/lds.yaml").Resources().Select(l => l.Text("name")).ToList();
        listeners.ShouldContain("upstream_billing");
        listeners.ShouldContain("upstream_lucid-mongodb");
        _mesh.Yaml("api-gateway/cds.yaml").Resources().Single(c => c.Text("name") == "billing")
            .At("load_assignment").Items("endpoints").Single().Items("lb_endpoints").ShouldBeEmpty();
    }

    [Fact]
    public void Generate_SameWarningsAgain_LoggedOnceAndAgainOnlyAfterTheyCleared()
    {
        _generator.Generate();
        _generator.Generate();
        _mesh.Inputs.Set(Topology(withBilling: true));
        _generator.Generate().ShouldNotBeNull().Specs.Single(s => s.Name == "api-gateway").Warnings
            .ShouldBe(["upstream 'lucid-mongodb' denies 'api-gateway' in policies.yaml"]);

        Warnings().ShouldBe(
        [
            "Sidecar api-gateway: upstream 'lucid-mongodb' denies 'api-gateway' in policies.yaml; its listener and cluster are generated, and calls fail until that changes",
            "Sidecar api-gateway: upstream 'billing' is not registered; its listener and cluster are generated, and calls fail until that changes",
        ]);

        _mesh.Inputs.Set(Topology(withBilling: false));
        _generator.Generate();
        Warnings().Count(w => w.Contains("'billing' is not registered", StringComparison.Ordinal)).ShouldBe(2, "it went away and came back");
    }

    [Fact]
    public void Generate_PolicyNowAdmitsTheCaller_WarningGone()
    {
        _generator.Generate();

        _mesh.WritePolicies(OnlyAuthCallsMongodb + "\n  - from: api-gateway\n    to: [lucid-mongodb]\n");
        _mesh.Policies.Reload().ShouldNotBeNull();
        _mesh.Policies.Problems.ShouldBeEmpty();
        var gateway = _generator.Generate().ShouldNotBeNull().Specs.Single(s => s.Name == "api-gateway");

        gateway.Warnings.ShouldBe(["upstream 'billing' is not registered"]);
    }

    private List<string> Warnings() => [.. _logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Message.StartsWith("Sidecar ", StringComparison.Ordinal)).Select(l => l.Message)];

    private static MeshTopology Topology(bool withBilling) => new(
    [
        new MeshMember("api-gateway", MeshProtocol.Http, 8080, 21000, [new("lucid-mongodb", 9002), new("billing", 9005)], ["10.0.0.10"]),
        new MeshMember("auth-service", MeshProtocol.Http, 8089, 21001, [new("lucid-mongodb", 9004)], ["10.0.0.11"]), // one host: its own local port
        new MeshMember("lucid-mongodb", MeshProtocol.Tcp, 27017, 21002, [], ["10.0.0.13"]),
        .. withBilling ? [new MeshMember("billing", MeshProtocol.Http, 8090, 21005, [], ["10.0.0.15"])] : Array.Empty<MeshMember>(),
    ]);
}
