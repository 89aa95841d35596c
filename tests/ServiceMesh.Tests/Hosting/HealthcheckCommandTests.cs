using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Health;
using ServiceMesh.Hosting;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Hosting;

public sealed class HealthcheckCommandTests
{
    // The image's 1.5 s budget is for an AOT binary; these runs are JIT-compiled, on a machine that may be busy.
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Healthcheck_RunningHealthyInstance_Exits0WithOneLine()
    {
        await using var host = await MeshTestHost.StartAsync();
        await host.WarmUpAsync();
        var environment = MeshEnvironment.For(host.Folder, host.Options.HttpPort);

        var result = await MeshProcess.RunAsync(environment, "healthcheck", "--timeout", "30s");

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

        var exitCode = await HealthcheckCommand.RunAsync(MeshEnvironment.For(host.Folder, host.Options.HttpPort), output, Generous);

        exitCode.ShouldBe(1);
        output.ToString().Trim().ShouldEndWith("-> 503 (example: CA expired)");
    }

    [Fact]
    public async Task Healthcheck_DegradedComponent_Exits0NamingTheReason()
    {
        var component = new TestComponent("example") { Health = ComponentHealth.Degraded("policies.yaml line 2: bad duration") };
        await using var host = await MeshTestHost.StartAsync(services: b => b.Services.AddSingleton<IHealthComponent>(component));
        using var output = new StringWriter();
        await host.WarmUpAsync();

        var exitCode = await HealthcheckCommand.RunAsync(MeshEnvironment.For(host.Folder, host.Options.HttpPort), output, Generous);

        exitCode.ShouldBe(0, "degraded still serves: the container is not unhealthy");
        output.ToString().Trim().ShouldBe($"degraded: GET http://127.0.0.1:{host.Options.HttpPort}/health -> 200 (example: policies.yaml line 2: bad duration)");
    }

    [Fact]
    public async Task Healthcheck_BoundToAllIpv6_ProbesIpv6Loopback()
    {
        await using var host = await MeshTestHost.StartAsync(settings: s => s["SERVICE_MESH_HOST"] = "::");
        await host.WarmUpAsync();
        using var output = new StringWriter();
        var environment = MeshEnvironment.For(host.Folder, host.Options.HttpPort);
        environment["SERVICE_MESH_HOST"] = "::";

        var exitCode = await HealthcheckCommand.RunAsync(environment, output, Generous);

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

        (await HealthcheckCommand.RunAsync(environment, output, Generous)).ShouldBe(1);

        output.ToString().ShouldStartWith("unhealthy: invalid configuration: SERVICE_MESH_HOST='service-mesh'");
    }

    [Theory]
    [InlineData("--timeout", "soon", "--timeout 'soon': expected a duration from 1ms to 10m")]
    [InlineData("--timeout", "0s", "--timeout '0s': expected a duration from 1ms to 10m")]
    [InlineData("--verbose", null, "unexpected '--verbose': the only option is --timeout <duration>")]
    public async Task Healthcheck_BadOption_Exits64NamingWhatIsExpected(string option, string? value, string expected)
    {
        using var folder = new TempFolder();
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] args = value is null ? ["healthcheck", option] : ["healthcheck", option, value];

        var exitCode = await CommandLine.RunAsync(args, MeshEnvironment.For(folder), output, error);

        exitCode.ShouldBe(64);
        error.ToString().Trim().ShouldBe($"service-mesh healthcheck: {expected}" + (expected.EndsWith("10m", StringComparison.Ordinal) ? ", such as 1500ms or 5s" : ""));
        output.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void ParseTimeout_NoOption_TheImagesBudget()
    {
        HealthcheckCommand.ParseTimeout([], out var problem).ShouldBe(TimeSpan.FromMilliseconds(1500));
        problem.ShouldBeNull();
        HealthcheckCommand.ParseTimeout(["--timeout", "5s"], out _).ShouldBe(TimeSpan.FromSeconds(5));
    }
}
