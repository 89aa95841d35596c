using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Hosting;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Stop_RequestInFlight_FinishesItThenRefusesNewConnections()
    {
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        // A long grace period: a stalled machine must not reach the host's own 8 s and abort the request under test.
        await using var host = await MeshTestHost.StartAsync(
            services: builder => builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(2)),
            routes: app => app.MapGet("/test/slow", async () =>
        {
            entered.SetResult();
            await release.Task;
            return TypedResults.Ok("finished");
        }));
        var inFlight = host.Client.GetAsync("/test/slow");
        await entered.Task;

        var stopping = host.App.StopAsync();
        (await RefusesConnectionsAsync(host.Options.HttpPort)).ShouldBeTrue("new connections are refused while stopping");
        stopping.IsCompleted.ShouldBeFalse("the host waits for the in-flight request");
        release.SetResult();

        using var response = await inFlight;
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<string>()).ShouldBe("finished");
        await stopping;
    }

    private static async Task<bool> RefusesConnectionsAsync(int port)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                await Task.Delay(50);
            }
            catch (System.Net.Sockets.SocketException)
            {
                return true;
            }
        }
        return false;
    }

    [Fact]
    public async Task Sigterm_RunningProcess_ExitsZeroWithoutLoggingTheToken()
    {
        using var folder = new TempFolder();
        var environment = MeshEnvironment.For(folder);
        const string token = "do-not-log-me-0123456789abcdef";
        environment["SERVICE_MESH_API_TOKEN"] = token;
        environment["LOG_LEVEL"] = "DEBUG";
        environment["LOG_FORMAT"] = "json";
        var port = int.Parse(environment["HTTP_PORT"]!, CultureInfo.InvariantCulture);
        using var process = MeshProcess.Start(environment);
        await HttpWaits.WaitForListeningAsync(port, process, TimeSpan.FromSeconds(20));
        (await HttpWaits.WaitForHealthyAsync(port, TimeSpan.FromSeconds(30))).ShouldBe(HttpStatusCode.OK);

        process.Terminate();
        var result = await process.WaitAsync(TimeSpan.FromSeconds(10));

        result.ExitCode.ShouldBe(0);
        result.Output.ShouldNotContain(token);
        result.Error.ShouldNotContain(token);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldNotBeEmpty();
        foreach (var line in lines)
        {
            System.Text.Json.JsonDocument.Parse(line).RootElement.ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Object, line);
        }

        result.Output.ShouldContain("bearer token required");
    }
}
