using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceMesh.Configuration;
using ServiceMesh.Hosting;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Hosting;

/// <summary>
/// The host-level safety net (issue 13): a background component that still throws stops the host, and the process must
/// then exit non-zero with a line naming the component and the error (.NET's own stop returns as from SIGTERM: exit 0).
/// </summary>
public sealed class BackgroundServiceFailureTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Serve_BackgroundServiceThrows_Exit70AndCriticalLineNamingItAndTheError()
    {
        var logs = new LogCapture();
        await using var app = Build(builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Services.AddHostedService<FailingComponent>();
        });
        await app.StartAsync();

        var exitCode = await MeshApplication.ServeAsync(app).WaitAsync(TimeSpan.FromSeconds(60));

        exitCode.ShouldBe(ExitCodes.BackgroundServiceFailed);
        exitCode.ShouldNotBe(0);
        logs.Lines.ShouldContain(line => line.Level == LogLevel.Critical && line.Message.Contains(nameof(FailingComponent), StringComparison.Ordinal)
            && line.Message.Contains("No space left on device (injected)", StringComparison.Ordinal) && line.Message.Contains("code 70", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_StoppedLikeSigterm_Exit0()
    {
        await using var app = Build(_ => { });
        await app.StartAsync();

        var serving = MeshApplication.ServeAsync(app);
        await app.StopAsync();

        (await serving.WaitAsync(TimeSpan.FromSeconds(60))).ShouldBe(ExitCodes.Success);
    }

    private WebApplication Build(Action<WebApplicationBuilder> configure)
    {
        var environment = MeshEnvironment.For(_folder);
        return MeshApplication.Build(MeshConfiguration.Load(environment).Options!, configure, environment);
    }

    /// <summary>A component that fails after start the way the reaper did on a full disk (issue 13): an IOException out of ExecuteAsync.</summary>
    private sealed class FailingComponent : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(50, stoppingToken);
            throw new IOException("No space left on device (injected)");
        }
    }
}
