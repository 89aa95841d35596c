using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Policies;
using ServiceMesh.Health;

namespace ServiceMesh.Tests.Envoy.Policies;

/// <summary>policies.yaml: who may call whom and per-upstream settings, and what a broken file does.</summary>
public sealed class PolicyTests
{
    private const string Valid = """
        default: deny
        allow:
          - from: api-gateway
            to: [auth-service]
        upstream_defaults:
          connect_timeout: 3s
        upstreams:
          lucid-mongodb:
            connect_timeout: 10s
            health_check:
              interval: 250ms
        """;

    [Fact]
    public void Parse_CompoundGoDuration_AcceptedAsInServicesYaml()
    {
        var result = PolicyFile.Parse("policies.yaml", """
            default: allow
            upstream_defaults:
              health_check:
                interval: 1m30s
            """);

        result.Problems.ShouldBeEmpty();
        result.Policies!.UpstreamDefaults.HealthCheck.Interval.ShouldBe(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public void Parse_InvalidDuration_ProblemNamesFileLineAndKey()
    {
        var result = PolicyFile.Parse("/app/config/policies.yaml", """
            default: allow
            upstream_defaults:
              health_check:
                interval: fast
            """);

        result.IsValid.ShouldBeFalse();
        result.Problems.Single().ShouldBe("/app/config/policies.yaml line 4, key 'upstream_defaults.health_check.interval': expected a duration from 1ms to 24h such as 250ms, 5s or 1m30s, found 'fast'");
    }

    [Fact]
    public void Parse_MalformedYaml_ProblemNamesFileLineAndNearestKey()
    {
        var result = PolicyFile.Parse("policies.yaml", "default: allow\nupstreams:\n  lucid-mongodb:\n    connect_timeout: [5s\n");

        result.IsValid.ShouldBeFalse();
        var problem = result.Problems.Single();
        problem.ShouldStartWith("policies.yaml line ");
        problem.ShouldContain("upstreams.lucid-mongodb");
        problem.ShouldContain("malformed YAML");
    }

    [Fact]
    public void Parse_UnknownKeysAndBadNames_EveryProblemReportedAtOnce()
    {
        var result = PolicyFile.Parse("policies.yaml", """
            default: maybe
            allow:
              - from: Api_Gateway
                to: [auth-service]
            upstream_default: {}
            """);

        result.Problems.Count.ShouldBe(3);
        result.Problems[0].ShouldContain("line 1, key 'default': expected allow");
        result.Problems[1].ShouldContain("line 3, key 'allow[0].from': 'Api_Gateway' is not a service name");
        result.Problems[2].ShouldContain("line 5, key 'upstream_default': unknown key");
    }

    [Fact]
    public void Parse_ValidFile_PerUpstreamOverridesLayerOverDefaults()
    {
        var policies = PolicyFile.Parse("policies.yaml", Valid).Policies!;

        policies.For("lucid-mongodb").ConnectTimeout.ShouldBe(TimeSpan.FromSeconds(10));
        policies.For("lucid-mongodb").HealthCheck.Interval.ShouldBe(TimeSpan.FromMilliseconds(250));
        policies.For("lucid-mongodb").HealthCheck.Timeout.ShouldBe(UpstreamPolicy.Default.HealthCheck.Timeout);
        policies.For("auth-service").ConnectTimeout.ShouldBe(TimeSpan.FromSeconds(3));
        policies.CallersOf("auth-service").ShouldBe(["api-gateway"]);
    }

    [Fact]
    public void Parse_ShippedPoliciesFile_IsValid()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "config", PolicyFile.FileName);

        PolicyFile.Read(shipped).Problems.ShouldBeEmpty();
    }

    [Fact]
    public async Task Generate_Rules_RbacAdmitsExactlyTheNamedCallersAndDenyDefaultAdmitsNobody()
    {
        using var mesh = new EnvoyTestMesh(policies: Valid);
        await mesh.IssueAllAsync();

        mesh.Generator.Generate().ShouldNotBeNull();

        var auth = Rbac(mesh, "auth-service");
        auth.At("rules", "policies", "allowed-callers").Items("principals").Select(p => p.Text("authenticated", "principal_name", "exact"))
            .ShouldBe([mesh.Certificates.SpiffeIdFor("api-gateway")]);
        var mongodb = Rbac(mesh, "lucid-mongodb");
        mongodb.Text("rules", "action").ShouldBe("ALLOW");
        ((YamlDotNet.RepresentationModel.YamlMappingNode)mongodb.At("rules", "policies")).Children.ShouldBeEmpty(); // empty ALLOW policies: Envoy denies all
        mesh.Yaml("api-gateway/cds.yaml").Resources().Single(c => c.Text("name") == "lucid-mongodb").Text("connect_timeout").ShouldBe("10s");
    }

    [Fact]
    public async Task Generate_PoliciesBecomeMalformed_LastGoodConfigurationStaysAndHealthSaysWhy()
    {
        using var mesh = new EnvoyTestMesh(policies: Valid);
        await mesh.IssueAllAsync();
        mesh.Generator.Generate();
        var before = mesh.Files().ToDictionary(f => f, mesh.Read);
        mesh.AgeAllFiles();

        mesh.WritePolicies(Valid.Replace("connect_timeout: 10s", "connect_timeout: soon", StringComparison.Ordinal));
        mesh.Generator.Generate();

        mesh.FilesRewrittenSinceAged().ShouldBeEmpty();
        mesh.Files().ToDictionary(f => f, mesh.Read).ShouldBe(before);
        mesh.State.PolicyProblems.Single().ShouldContain("policies.yaml line 9, key 'upstreams.lucid-mongodb.connect_timeout'");
        var health = await new EnvoyHealthComponent(mesh.State).CheckAsync(CancellationToken.None);
        health.Status.ShouldBe(ComponentStatus.Degraded);
        health.Detail.ShouldContain("keeping the last good configuration");

        mesh.WritePolicies(Valid);
        mesh.Generator.Generate();
        mesh.State.PolicyProblems.ShouldBeEmpty();
    }

    [Fact]
    public async Task Generate_PoliciesMalformedFromTheStart_WritesNothing()
    {
        using var mesh = new EnvoyTestMesh(policies: "default: [");
        await mesh.IssueAllAsync();

        mesh.Generator.Generate().ShouldBeNull();

        mesh.Files().ShouldBeEmpty();
        mesh.State.WaitingForPolicies.ShouldBeTrue();
    }

    private static YamlDotNet.RepresentationModel.YamlNode Rbac(EnvoyTestMesh mesh, string service) =>
        mesh.Yaml($"{service}/lds.yaml").Resources().Single(l => l.Text("name") == "public_listener")
            .Items("filter_chains")[0].Items("filters")[0].At("typed_config");
}
