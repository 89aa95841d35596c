using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>
/// Real Consul client libraries against the embedded agent. python-consul is what the platform's earlier Python services
/// used; the Test target installs it (python3-consul) as root on Debian, and this test installs it when missing and
/// fails, rather than skips, when it cannot. The npm consul client likewise, see <see cref="EnsureNpmConsulAsync"/>.
/// </summary>
public sealed class ConsulClientLibraryTests
{
    private const string Python = "/usr/bin/python3";

    /// <summary>The npm consul client's version, pinned in package.json and package-lock.json beside the scenario.</summary>
    private const string NpmConsulVersion = "2.0.1";

    private static readonly string Scenarios = Path.Combine(AppContext.BaseDirectory, "Discovery", "Server");

    [Fact]
    public async Task PythonConsul_FullSession_AnswersAsConsul()
    {
        await EnsurePythonConsulAsync();
        await using var host = await MeshTestHost.StartAsync();

        var (exitCode, output) = await RunAsync(Python, $"{Path.Combine(Scenarios, "python_consul_scenario.py")} {host.Options.EmbeddedConsulHttpPort}");

        exitCode.ShouldBe(0, output);
        output.Trim().ShouldBe("ok");
    }

    [SkippableFact]
    public async Task NpmConsul_FullSession_AnswersAsConsul()
    {
        await EnsureNpmConsulAsync();
        await using var host = await MeshTestHost.StartAsync();

        var (exitCode, output) = await RunAsync("node", $"{Path.Combine(Scenarios, "consul_npm_scenario.js")} {host.Options.EmbeddedConsulHttpPort}");

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

    /// <summary>
    /// Node.js and npm from Debian when missing (the Test target installs them as root), then the pinned client with
    /// npm ci into the test output. Without Node.js, and no way to install it, the test skips, except in CI (CI=true).
    /// </summary>
    private static async Task EnsureNpmConsulAsync()
    {
        if (!await HasNodeAndNpmAsync())
        {
            await RunAsync("apt-get", "install -y -q nodejs npm");
            var installed = await HasNodeAndNpmAsync();
            const string reason = "Node.js and npm are needed for the npm consul client (apt-get install nodejs npm) and could not be installed";
            Skip.If(!installed && Environment.GetEnvironmentVariable("CI") != "true", reason);
            installed.ShouldBeTrue(reason);
        }

        var manifest = Path.Combine(Scenarios, "node_modules", "consul", "package.json");
        if (!File.Exists(manifest))
        {
            var (exitCode, output) = await RunAsync("npm", "ci --no-audit --no-fund", Scenarios);
            exitCode.ShouldBe(0, $"npm ci of the pinned consul client failed: {output}");
        }

        using var installedManifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifest));
        installedManifest.RootElement.GetProperty("version").GetString().ShouldBe(NpmConsulVersion);
    }

    private static async Task<bool> HasNodeAndNpmAsync() =>
        (await RunAsync("node", "--version")).ExitCode == 0 && (await RunAsync("npm", "--version")).ExitCode == 0;

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, string arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        start.Environment["NO_PROXY"] = "127.0.0.1"; // requests must never route loopback through a proxy
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            return (-1, $"{command}: {e.Message}"); // not installed
        }

        using var _ = process;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await output + await errors);
    }
}
