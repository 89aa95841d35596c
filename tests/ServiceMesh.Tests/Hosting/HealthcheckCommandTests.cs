using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Health;
using ServiceMesh.Hosting;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Hosting;

public sealed class HealthcheckCommandTests
{
    [Fact]
    public async Task Healthcheck_RunningHealthyInstance_Exits0WithOneLine()
    {
        await using var host = await MeshTestHost.StartAsync();
        await host.WarmUpAsync();
        var environment = MeshEnvironment.For(host.Folder, host.Options.HttpPort);

        var result = await MeshProcess.RunAsync(environment, "healthcheck");

        result.ExitCode.ShouldBe(0);
        result.Output.Trim().ShouldBe($"healthy: GET http://127.0.0.1:{host.Options.HttpPort}/health -> 200");
    }

    [Fact]
    public async Task Healthcheck_NothingListening_Exits1()
    {
        using var folder = new TempFolder();

        var result = await MeshProcess.RunAsync(MeshEnvironment.For(folder), "healthcheck");

        result.ExitCode.ShouldBe(1);
        result.Output.Trim().ShouldStartWith("unhealthy: GET http://127.0.0.1:");
        result.Output.Trim().Split('\n').Length.ShouldBe(1);
    }

    [Fact]
    public async Task Healthcheck_UnhealthyComponent_Exits1NamingIt()
    {
        var component = new TestComponent("example") { Health = ComponentHealth.Unhealthy("CA expired") };
        await using var host = await MeshTestHost.StartAsync(services: b => b.Services.AddSingleton<IHealthComponent>(component));
        using var output = new StringWriter();
        await host.WarmUpAsync();

        var exitCode = await HealthcheckCommand.RunAsync(MeshEnvironment.For(host.Folder, host.Options.HttpPort), output);

        exitCode.ShouldBe(1);
        output.ToString().Trim().ShouldEndWith("-> 503 (example: CA expired)");
    }

    [Fact]
    public async Task Healthcheck_BoundToAllIpv6_ProbesIpv6Loopback()
    {
        await using var host = await MeshTestHost.StartAsync(settings: s => s["SERVICE_MESH_HOST"] = "::");
        await host.WarmUpAsync();
        using var output = new StringWriter();
        var environment = MeshEnvironment.For(host.Folder, host.Options.HttpPort);
        environment["SERVICE_MESH_HOST"] = "::";

        var exitCode = await HealthcheckCommand.RunAsync(environment, output);

        exitCode.ShouldBe(0);
        output.ToString().ShouldContain($"http://[::1]:{host.Options.HttpPort}/health");
    }

    [Fact]
    public async Task Healthcheck_InvalidConfiguration_Exits1WithTheProblem()
    {
        using var folder = new TempFolder();
        var environment = MeshEnvironment.For(folder);
        environment["SERVICE_MESH_HOST"] = "service-mesh";
        using var output = new StringWriter();

        (await HealthcheckCommand.RunAsync(environment, output)).ShouldBe(1);

        output.ToString().ShouldStartWith("unhealthy: invalid configuration: SERVICE_MESH_HOST='service-mesh'");
    }
}
