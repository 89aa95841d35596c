using System.Net;
using System.Net.Http.Json;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Health;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Envoy.Planning;

/// <summary>What happens to a sidecar whose ports another holds: 409 from the API, exit 78 for services.yaml, excluded from Consul.</summary>
public sealed class PortCollisionTests
{
    [Fact]
    public async Task Post_PublicPortAnotherSidecarHolds_409NamingTheHolder()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var web = await host.Client.PostAsJsonAsync("/envoy/configs/web", new { service_address = "127.0.0.1", service_port = 8080, public_port = 21001 });
        web.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var reports = await host.Client.PostAsJsonAsync("/envoy/configs/reports", new { service_address = "127.0.0.1", service_port = 8081, public_port = 21001 });

        reports.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        reports.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await reports.Content.ReadAsStringAsync()).ShouldContain("port 21001 is already the public port of 'web'");
        (await host.Client.GetAsync("/envoy/configs/reports")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Post_UpstreamPortOnServiceMeshsOwnPort_409NamingIt()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.PostAsJsonAsync("/envoy/configs/web", new
        {
            service_address = "127.0.0.1", service_port = 8080, upstreams = new[] { new { name = "api", local_bind_port = host.Options.HttpPort } },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync()).ShouldContain($"port {host.Options.HttpPort} is already service-mesh's HTTP_PORT");
    }

    [Fact]
    public async Task Post_TwoSidecarsWithoutPorts_EachGetsItsOwnPublicAndAdminPort()
    {
        await using var host = await MeshTestHost.StartAsync();

        var reports = await (await host.Client.PostAsJsonAsync("/envoy/configs/reports", new { service_address = "127.0.0.1", service_port = 8080 })).JsonAsync();
        var billing = await (await host.Client.PostAsJsonAsync("/envoy/configs/billing", new { service_address = "127.0.0.1", service_port = 8081 })).JsonAsync();

        reports.GetProperty("public_port").GetInt32().ShouldNotBe(billing.GetProperty("public_port").GetInt32());
        reports.GetProperty("admin_port").GetInt32().ShouldNotBe(billing.GetProperty("admin_port").GetInt32());
        reports.GetProperty("public_port").GetInt32().ShouldBeInRange(21000, 21999);
        var listed = await (await host.Client.GetAsync("/envoy/configs")).JsonAsync();
        listed.GetProperty("configs").EnumerateArray().Single(c => c.GetProperty("service").GetString() == "reports")
            .GetProperty("admin_port").GetInt32().ShouldBe(reports.GetProperty("admin_port").GetInt32());
    }

    [Fact]
    public void Generate_CatalogMemberOnAPortTheApiHolds_ExcludedWithTheReasonInStateAndHealth()
    {
        using var mesh = new EnvoyTestMesh();
        var api = new TestInputs("api", precedence: 100);
        var discovery = new TestInputs("discovery", precedence: 0);
        var generator = new EnvoyGenerator(mesh.Settings, mesh.Planner, mesh.Policies, [api, discovery], mesh.State,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EnvoyGenerator>.Instance, mesh.Time);
        api.Set(new([new MeshMember("web", MeshProtocol.Http, 8080, 21001, [], ["127.0.0.1"])]));
        discovery.Set(new([new MeshMember("reports", MeshProtocol.Http, 8081, null, [new("web", 21001)], ["127.0.0.1"])]));

        var generation = generator.Generate().ShouldNotBeNull();

        generation.Specs.Select(s => s.Name).ShouldBe(["web"]);
        var excluded = generation.Excluded.ShouldHaveSingleItem();
        (excluded.Service, excluded.Source).ShouldBe(("reports", "discovery"));
        excluded.Reason.ShouldContain("port 21001 is already the public port of 'web'");
        File.Exists(mesh.PathOf("reports.yaml")).ShouldBeFalse();
        var health = new EnvoyHealthComponent(mesh.State).Current;
        health.Status.ShouldBe(ComponentStatus.Degraded);
        health.Detail.ShouldContain("reports (from discovery): port collision: upstream 'web' local_bind_port 21001: port 21001 is already the public port of 'web'");
    }

    [Fact]
    public void Generate_ServicesYamlAndApiClaimOnePort_ServicesYamlKeepsIt()
    {
        using var mesh = new EnvoyTestMesh();
        var api = new TestInputs("api", precedence: 100);
        var discovery = new TestInputs("discovery", precedence: 0);
        var generator = new EnvoyGenerator(mesh.Settings, mesh.Planner, mesh.Policies, [api, discovery], mesh.State,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EnvoyGenerator>.Instance, mesh.Time);
        api.Set(new([new MeshMember("reports", MeshProtocol.Http, 8081, 21001, [], ["127.0.0.1"])]));
        discovery.Set(new([new MeshMember("web", MeshProtocol.Http, 8080, null, [], ["127.0.0.1"], new SidecarPortRequest(Admin: 21001), Declared: true)]));

        var generation = generator.Generate().ShouldNotBeNull();

        generation.Specs.Single().AdminPort.ShouldBe(21001);
        generation.Excluded.ShouldHaveSingleItem().Reason.ShouldContain("public_port 21001: port 21001 is already the admin port of 'web'");
    }

    [Fact]
    public async Task Run_ServicesYamlTwoSidecarsOnOnePort_Exits78NamingFileLineAndHolder()
    {
        using var folder = new TempFolder();
        var environment = MeshEnvironment.For(folder);
        var file = folder.WriteFile("config/services.yaml", """
            services:
              - name: web
                port: 8080
                mesh: { public_port: 21001 }
              - name: reports
                port: 8081
                mesh: { public_port: 21002, ready_port: 21001 }
            """);

        var result = await MeshProcess.RunAsync(environment);

        result.ExitCode.ShouldBe(78);
        var line = result.ErrorLines.ShouldHaveSingleItem();
        line.ShouldContain($"{file} line 5, key 'reports.mesh'");
        line.ShouldContain("ready_port 21001: port 21001 is already the public port of 'web'");
    }
}
