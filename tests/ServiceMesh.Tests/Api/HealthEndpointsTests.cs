using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Health;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Api;

public sealed class HealthEndpointsTests
{
    private static Task<MeshTestHost> StartWith(TestComponent component) =>
        MeshTestHost.StartAsync(services: b => b.Services.AddSingleton<IHealthComponent>(component));

    [Fact]
    public async Task Health_AllComponentsHealthy_200WithEveryComponent()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.GetAsync("/health");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var body = await response.JsonAsync();
        body.GetProperty("status").GetString().ShouldBe("healthy");
        body.GetProperty("service").GetString().ShouldBe("lucid-service-mesh");
        body.GetProperty("version").GetString().ShouldBe(ServiceMesh.Configuration.BuildInfo.Version);
        var components = body.GetProperty("components");
        components.GetProperty("host").GetProperty("status").GetString().ShouldBe("healthy");
        components.GetProperty("storage").GetProperty("status").GetString().ShouldBe("healthy");
        components.GetProperty("storage").GetProperty("detail").GetString().ShouldBe("4 folders writable");
    }

    [Fact]
    public async Task Health_ComponentUnhealthy_503NamingComponentAndReason()
    {
        var component = new TestComponent("example") { Health = ComponentHealth.Unhealthy("CA file missing") };
        await using var host = await StartWith(component);

        using var response = await host.Client.GetAsync("/health");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var body = await response.JsonAsync();
        body.GetProperty("status").GetString().ShouldBe("unhealthy");
        var example = body.GetProperty("components").GetProperty("example");
        example.GetProperty("status").GetString().ShouldBe("unhealthy");
        example.GetProperty("detail").GetString().ShouldBe("CA file missing");
    }

    [Fact]
    public async Task Health_ComponentDegraded_200DegradedWithTheReason()
    {
        var component = new TestComponent("example-discovery") { Health = ComponentHealth.Degraded("consul slow") };
        await using var host = await StartWith(component);

        using var response = await host.Client.GetAsync("/health");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, "degraded still serves; 503 means unhealthy only");
        var body = await response.JsonAsync();
        body.GetProperty("status").GetString().ShouldBe("degraded");
        var example = body.GetProperty("components").GetProperty("example-discovery");
        example.GetProperty("status").GetString().ShouldBe("degraded");
        example.GetProperty("detail").GetString().ShouldBe("consul slow");
    }

    [Fact]
    public async Task Health_InvalidPoliciesFile_200DegradedNamingTheFile()
    {
        await using var host = await MeshTestHost.StartAsync(settings: s =>
        {
            Directory.CreateDirectory(s["CONFIG_PATH"]!);
            File.WriteAllText(Path.Combine(s["CONFIG_PATH"]!, "policies.yaml"), "upstream_defaults:\n  connect_timeout: soon\n");
        });

        var deadline = DateTime.UtcNow.AddSeconds(30);
        System.Text.Json.JsonElement body;
        HttpStatusCode status;
        do
        {
            using var response = await host.Client.GetAsync("/health");
            (status, body) = (response.StatusCode, await response.JsonAsync());
        }
        while (body.GetProperty("status").GetString() != "degraded" && DateTime.UtcNow < deadline && await Delay());

        status.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("status").GetString().ShouldBe("degraded");
        var envoy = body.GetProperty("components").GetProperty("envoy");
        envoy.GetProperty("status").GetString().ShouldBe("degraded");
        envoy.GetProperty("detail").GetString()!.ShouldContain("policies.yaml");
    }

    [Fact]
    public async Task Health_OnConsulPort_SameHandlerAndBodyAsOnHttpPort()
    {
        var component = new TestComponent("example") { Health = ComponentHealth.Degraded("CA renewal failing") };
        await using var host = await StartWith(component);
        using var consulPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}") };

        using var onConsul = await consulPort.GetAsync("/health");
        using var onHttp = await host.Client.GetAsync("/health");

        onConsul.StatusCode.ShouldBe(HttpStatusCode.OK);
        onConsul.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var consulBody = await onConsul.JsonAsync();
        consulBody.GetProperty("status").GetString().ShouldBe("degraded");
        consulBody.GetProperty("components").GetProperty("example").GetProperty("detail").GetString().ShouldBe("CA renewal failing");
        Keys(consulBody).ShouldBe(Keys(await onHttp.JsonAsync()));
        Keys(consulBody.GetProperty("components")).ShouldBe(Keys((await onHttp.JsonAsync()).GetProperty("components")));

        component.Health = ComponentHealth.Unhealthy("CA expired");
        (await consulPort.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await consulPort.GetAsync("/ready")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "only /health and /metrics join the Consul routes");
    }

    [Fact]
    public async Task Health_OnConsulHttpsPort_Answers()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var bundle = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Path.Combine(host.Options.CertificatesPath, "ca.crt"));
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, _) =>
            {
                chain!.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(bundle);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return chain.Build(certificate!);
            },
        };
        using var client = new HttpClient(handler);

        using var response = await client.GetAsync(new Uri($"https://127.0.0.1:{host.Options.EmbeddedConsulHttpsPort}/health"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.JsonAsync()).GetProperty("service").GetString().ShouldBe("lucid-service-mesh");
    }

    private static List<string> Keys(System.Text.Json.JsonElement element) => element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }

    [Fact]
    public async Task Health_ComponentRecovers_200Again()
    {
        var component = new TestComponent("example-envoy") { Health = ComponentHealth.Unhealthy("writing") };
        await using var host = await StartWith(component);
        (await host.Client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        component.Health = ComponentHealth.Healthy("written");

        (await host.Client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Health_ComponentThrows_503WithExceptionMessage()
    {
        var component = new TestComponent("example-discovery") { Throws = new InvalidOperationException("registry closed") };
        await using var host = await StartWith(component);

        using var response = await host.Client.GetAsync("/health");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var detail = (await response.JsonAsync()).GetProperty("components").GetProperty("example-discovery").GetProperty("detail").GetString();
        detail.ShouldBe("check failed: registry closed");
    }

    [Fact]
    public async Task Ready_DegradedComponent_StillReady_UnhealthyComponent_NotReady()
    {
        var component = new TestComponent("example-discovery") { Health = ComponentHealth.Degraded("slow") };
        await using var host = await StartWith(component);

        (await host.Client.GetAsync("/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        component.Health = ComponentHealth.Unhealthy("down");
        using var response = await host.Client.GetAsync("/ready");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.JsonAsync()).GetProperty("detail").GetString().ShouldBe("example-discovery: down");
    }

    [Fact]
    public async Task Root_Get_ListsServiceAndEndpoints()
    {
        await using var host = await MeshTestHost.StartAsync();

        var body = await (await host.Client.GetAsync("/")).JsonAsync();

        body.GetProperty("service").GetString().ShouldBe("lucid-service-mesh");
        body.GetProperty("discoveryMode").GetString().ShouldBe("embedded");
        var paths = body.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList();
        foreach (var path in new[] { "/", "/health", "/ready", "/metrics" })
        {
            paths.ShouldContain(path);
        }
    }
}
