using System.Diagnostics;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>
/// Real Consul client libraries against the embedded agent. python-consul is what the platform's earlier Python services
/// used; the Test target installs it (python3-consul) as root on Debian, and this test installs it when missing and
/// fails, rather than skips, when it cannot.
/// </summary>
public sealed class ConsulClientLibraryTests
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task PythonConsul_FullSession_AnswersAsConsul()
    {
        await EnsurePythonConsulAsync();
        await using var host = await MeshTestHost.StartAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "Discovery", "Server", "python_consul_scenario.py");

        var (exitCode, output) = await RunAsync(Python, $"{script} {host.Options.EmbeddedConsulHttpPort}");

        exitCode.ShouldBe(0, output);
        output.Trim().ShouldBe("ok");
    }

    private static async Task EnsurePythonConsulAsync()
    {
        if ((await RunAsync(Python, "-c \"import consul\"")).ExitCode == 0)
        {
            return;
        }

        await RunAsync("apt-get", "install -y -q python3-consul");
        (await RunAsync(Python, "-c \"import consul\"")).ExitCode.ShouldBe(0, "python-consul is needed (apt-get install python3-consul) and could not be installed");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, string arguments)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["NO_PROXY"] = "127.0.0.1"; // requests must never route loopback through a proxy
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await output + await errors);
    }
}
