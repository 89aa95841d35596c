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
        body.GetProperty("version").GetString().ShouldBe(ServiceMesh.Hosting.BuildInfo.Version);
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
    public async Task Health_ComponentDegraded_503Degraded()
    {
        var component = new TestComponent("example-discovery") { Health = ComponentHealth.Degraded("consul slow") };
        await using var host = await StartWith(component);

        using var response = await host.Client.GetAsync("/health");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.JsonAsync()).GetProperty("status").GetString().ShouldBe("degraded");
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
            paths.ShouldContain(path);
    }
}
