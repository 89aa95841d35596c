using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServiceMesh.Envoy.Api;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Envoy.Api;

/// <summary>The /envoy/configs routes on the real host (real Kestrel, certificate manager and generation loop).</summary>
public sealed class EnvoyApiTests
{
    private static readonly object GatewayBody = new
    {
        service_address = "10.0.0.10",
        service_port = 8080,
        upstreams = new[] { new { name = "auth-service", local_bind_port = 9001 } },
    };

    [Fact]
    public async Task Post_ThenGetAndContent_FilesAreOnDiskAndDescribed()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var created = await host.Client.PostAsJsonAsync("/envoy/configs/api-gateway", GatewayBody);
        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        created.Headers.Location!.ToString().ShouldBe("/envoy/configs/api-gateway");
        var body = await created.JsonAsync();
        (body.GetProperty("status").GetString(), body.GetProperty("service_name").GetString()).ShouldBe(("generated", "api-gateway"));
        body.GetProperty("config_path").GetString().ShouldBe(Path.Combine(host.Options.EnvoyConfigPath, "api-gateway.yaml"));
        body.GetProperty("service").GetString().ShouldBe("api-gateway");
        body.GetProperty("source").GetString().ShouldBe("api");
        body.GetProperty("upstreams")[0].GetProperty("spiffe_id").GetString().ShouldBe("spiffe://lucid.local/ns/default/dc/lucid-dc/svc/auth-service");
        File.Exists(Path.Combine(host.Options.EnvoyConfigPath, "api-gateway", "cds.yaml")).ShouldBeTrue();

        var listed = await (await host.Client.GetAsync("/envoy/configs")).JsonAsync();
        listed.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("service").GetString()).ShouldContain("api-gateway");
        listed.GetProperty("configs").EnumerateArray().Select(s => s.GetProperty("service_name").GetString()).ShouldContain("api-gateway");
        listed.GetProperty("count").GetInt32().ShouldBe(listed.GetProperty("configs").GetArrayLength());
        var content = await (await host.Client.GetAsync("/envoy/configs/api-gateway/content")).JsonAsync();
        content.GetProperty("content").GetString().ShouldBe(await File.ReadAllTextAsync(Path.Combine(host.Options.EnvoyConfigPath, "api-gateway.yaml")));
        content.GetProperty("files").GetProperty("api-gateway/lds.yaml").GetString()!.ShouldContain("public_listener");
        content.GetProperty("files").GetProperty("api-gateway.yaml").GetString()!.ShouldContain("api-gateway-sidecar-proxy");
        content.GetProperty("files").GetProperty("api-gateway/sds-cert.yaml").GetString().ShouldBe(EnvoyEndpoints.NotServed, "the private key is never served");
        await Discovery.DiscoveryTestSupport.EventuallyAsync(async () => (await host.Client.GetAsync("/certificates/api-gateway")).IsSuccessStatusCode,
            "the new sidecar gets its SVID without a POST /certificates");
    }

    [Fact]
    public async Task Post_RegistrationCannotBeSaved_503NamingTheFileAndNothingGenerated()
    {
        await using var host = await MeshTestHost.StartAsync(settings =>
        {
            Directory.CreateDirectory(settings["DATA_PATH"]!);
            File.WriteAllText(Path.Combine(settings["DATA_PATH"]!, "envoy"), "a file where the folder should be");
        });

        using var response = await host.Client.PostAsJsonAsync("/envoy/configs/api-gateway", GatewayBody);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.JsonAsync()).GetProperty("detail").GetString()!.ShouldContain("registrations.json");
        (await host.Client.GetAsync("/envoy/configs/api-gateway")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        File.Exists(Path.Combine(host.Options.EnvoyConfigPath, "api-gateway.yaml")).ShouldBeFalse();
    }

    [Fact]
    public async Task Delete_RegisteredService_FilesRemovedAnd404Afterwards()
    {
        await using var host = await MeshTestHost.StartAsync();
        (await host.Client.PostAsJsonAsync("/envoy/configs/api-gateway", GatewayBody)).EnsureSuccessStatusCode();

        using var deleted = await host.Client.DeleteAsync("/envoy/configs/api-gateway");

        deleted.StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = await deleted.JsonAsync();
        (answer.GetProperty("status").GetString(), answer.GetProperty("service_name").GetString()).ShouldBe(("deleted", "api-gateway"));
        File.Exists(Path.Combine(host.Options.EnvoyConfigPath, "api-gateway.yaml")).ShouldBeFalse();
        (await host.Client.GetAsync("/envoy/configs/api-gateway")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await host.Client.DeleteAsync("/envoy/configs/api-gateway")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_MemberWithAnIdentity_CertificateRevokedAndItsFilesRemoved()
    {
        await using var host = await MeshTestHost.StartAsync();
        (await host.Client.PostAsJsonAsync("/envoy/configs/reports", GatewayBody)).EnsureSuccessStatusCode();
        await Discovery.DiscoveryTestSupport.EventuallyAsync(async () => (await host.Client.GetAsync("/certificates/reports")).IsSuccessStatusCode, "the member gets its SVID");
        var serial = (await (await host.Client.GetAsync("/certificates/reports")).JsonAsync()).GetProperty("serial").GetString()!;

        (await host.Client.DeleteAsync("/envoy/configs/reports")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await Discovery.DiscoveryTestSupport.EventuallyAsync(async () => (await host.Client.GetAsync("/certificates/reports")).StatusCode == HttpStatusCode.NotFound,
            "leaving the mesh takes the identity away");
        File.Exists(Path.Combine(host.Options.CertificatesPath, "reports.crt")).ShouldBeFalse();
        File.ReadAllText(Path.Combine(host.Options.CertificatesPath, "ca.revoked.json")).ShouldContain(serial);
        (await host.Client.PostAsync("/certificates/ca/rotate", null)).EnsureSuccessStatusCode();
        (await host.Client.GetAsync("/certificates/reports")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "a rotation re-issues only the identities the CA holds");
    }

    [Theory]
    [InlineData("Api_Gateway")]
    [InlineData("-gateway")]
    [InlineData("ca")]
    public async Task Post_InvalidServiceName_422NamingTheRule(string name)
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.PostAsJsonAsync($"/envoy/configs/{name}", GatewayBody);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var detail = (await response.JsonAsync()).GetProperty("summary").GetString();
        detail.ShouldNotBeNull();
        detail.ShouldContain(name == "ca" ? "reserved" : "DNS label");
    }

    [Fact]
    public async Task Post_InvalidBody_422ListingEveryProblem()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.PostAsJsonAsync("/envoy/configs/api-gateway", new
        {
            service_address = "not a host",
            service_port = 70000,
            public_port = 21000,
            upstreams = new[] { new { name = "auth-service", local_bind_port = 21000 } },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await response.JsonAsync();
        problem.GetProperty("summary").GetString()!.ShouldContain("upstreams[0].local_bind_port");
        problem.GetProperty("detail").EnumerateArray().Select(e => string.Join('.', e.GetProperty("loc").EnumerateArray().Select(l => l.ToString())))
            .ShouldBe(["body.service_address", "body.service_port", "body.upstreams.0.local_bind_port"]);
        problem.GetProperty("detail")[2].GetProperty("loc")[2].ValueKind.ShouldBe(JsonValueKind.Number);
    }

    [Fact]
    public async Task PostAndDelete_TokenConfiguredButMissing_401AndNothingWritten()
    {
        await using var host = await MeshTestHost.StartAsync(settings: s => s["SERVICE_MESH_API_TOKEN"] = "0123456789abcdef0123");

        (await host.Client.PostAsJsonAsync("/envoy/configs/api-gateway", GatewayBody)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await host.Client.DeleteAsync("/envoy/configs/api-gateway")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        File.Exists(Path.Combine(host.Options.EnvoyConfigPath, "api-gateway.yaml")).ShouldBeFalse();
        (await host.Client.GetAsync("/envoy/configs")).StatusCode.ShouldBe(HttpStatusCode.OK); // reads stay open
    }

    [Fact]
    public async Task Health_AfterGeneration_EnvoyComponentHealthyAndMetricsExported()
    {
        await using var host = await MeshTestHost.StartAsync();
        (await host.Client.PostAsJsonAsync("/envoy/configs/api-gateway", GatewayBody)).EnsureSuccessStatusCode();

        var health = await (await host.Client.GetAsync("/health")).JsonAsync();
        health.GetProperty("components").GetProperty("envoy").GetProperty("status").GetString().ShouldBe("healthy");
        var metrics = await host.Client.GetStringAsync("/metrics");
        metrics.ShouldContain("service_mesh_envoy_files_written");
        metrics.ShouldContain("service_mesh_envoy_generation_duration_seconds_bucket");
        metrics.ShouldContain("service_mesh_envoy_change_to_disk_latency_seconds_bucket");
    }
}
