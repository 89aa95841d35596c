using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Docker;

/// <summary>
/// Installs and starts a Docker engine that cannot reach beyond loopback: no bridge, no iptables, registry traffic
/// sent to a closed port, arm64 emulation registered. Idempotent; only for root on Debian/Ubuntu.
/// </summary>
internal sealed class IsolatedEngineSetup
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ToolRunner _tools;
    private readonly DockerEndpoint _endpoint;
    private readonly Action<string> _log;

    public IsolatedEngineSetup(ToolRunner tools, DockerEndpoint endpoint, Action<string> log)
    {
        _tools = tools;
        _endpoint = endpoint;
        _log = log;
    }

    public static bool CanRunHere => AptPackages.CanInstall;

    /// <summary>Packages, binfmt_misc and the qemu-aarch64 handler; leaves any running engine as it is.</summary>
    /// <param name="imageArchitecture">The image's Debian architecture: its .debs make the base image, so apt must list them.</param>
    public async Task EnsureToolsAsync(IReadOnlyList<string> packages, string imageArchitecture, CancellationToken cancellationToken)
    {
        await MountBinfmtAsync(cancellationToken);
        await new AptPackages(_tools).EnsureInstalledAsync(packages, foreignArchitecture: imageArchitecture, cancellationToken);
        await RegisterArm64EmulationAsync(cancellationToken);
    }

    /// <summary>Writes the isolated daemon settings, installs what is missing and starts dockerd; for a machine where no engine answers.</summary>
    public async Task InstallAndStartAsync(IReadOnlyList<string> packages, string imageArchitecture, CancellationToken cancellationToken)
    {
        // The daemon settings come first, so that even a daemon started by the package's own scripts has no bridge.
        WriteIsolatedDaemonConfig();
        await EnsureToolsAsync(packages, imageArchitecture, cancellationToken);
        // docker.io's own scripts may have started a daemon during the install: it has the settings above but not
        // the closed registry proxy, so it is replaced by one started the isolated way.
        await StopPackageStartedDaemonAsync(cancellationToken);
        await DeleteDefaultBridgeAsync(cancellationToken);
        StartDaemon();
        await WaitUntilAnswersAsync(cancellationToken);
    }

    /// <summary>Merges the isolation keys into daemon.json.</summary>
    private void WriteIsolatedDaemonConfig()
    {
        var path = EngineRequirements.DaemonConfigPath;
        var config = File.Exists(path) && new FileInfo(path).Length > 0
            ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new BuildFailureException($"{path} does not hold a JSON object.")
            : [];
        var changed = config["bridge"]?.GetValue<string>() != EngineRequirements.NoBridge;
        config["bridge"] = EngineRequirements.NoBridge;
        foreach (var (key, value) in EngineRequirements.IsolatedDaemonSettings)
        {
            changed |= config[key] is not JsonValue existing || existing.GetValueKind() != (value ? JsonValueKind.True : JsonValueKind.False);
            config[key] = value;
        }

        if (changed)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            _log($"wrote {path}: no bridge, no iptables");
        }
    }

    private async Task MountBinfmtAsync(CancellationToken cancellationToken)
    {
        // qemu-user-static's postinst can only register its handlers once binfmt_misc is mounted.
        if (!File.Exists(Path.Combine(EngineRequirements.BinfmtDirectory, "status")))
        {
            await _tools.RunAsync("mount", ["-t", "binfmt_misc", "binfmt_misc", EngineRequirements.BinfmtDirectory], cancellationToken);
        }
    }

    private async Task RegisterArm64EmulationAsync(CancellationToken cancellationToken)
    {
        var handler = Path.Combine(EngineRequirements.BinfmtDirectory, "qemu-aarch64");
        if (!File.Exists(handler))
        {
            await _tools.RunAsync("update-binfmts", ["--import", "qemu-aarch64"], cancellationToken, quiet: true, acceptedExitCodes: [0, 1, 2]);
        }

        if (!File.Exists(handler) || File.ReadLines(handler).FirstOrDefault() != "enabled")
        {
            await _tools.RunAsync("update-binfmts", ["--enable", "qemu-aarch64"], cancellationToken, quiet: true);
        }

        // The F (fix-binary) flag makes the kernel keep the interpreter open, so it also works inside containers.
        var flags = File.ReadLines(handler).FirstOrDefault(l => l.StartsWith("flags:", StringComparison.Ordinal)) ?? "";
        if (!flags.Contains('F', StringComparison.Ordinal))
        {
            throw new BuildFailureException($"{handler} is registered without the F flag ({flags}); containers cannot run arm64 binaries. Reinstall qemu-user-static.");
        }
    }

    private async Task StopPackageStartedDaemonAsync(CancellationToken cancellationToken)
    {
        foreach (var daemon in Process.GetProcessesByName("dockerd"))
        {
            using (daemon)
            {
                _log($"stopping dockerd (pid {daemon.Id}) started by the package scripts without the closed registry proxy");
                await _tools.RunAsync("kill", ["-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken);
                await daemon.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
        }
    }

    private async Task DeleteDefaultBridgeAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists("/sys/class/net/docker0"))
        {
            await _tools.RunAsync("ip", ["link", "delete", "docker0"], cancellationToken);
        }
    }

    private void StartDaemon()
    {
        _log($"starting dockerd (log {EngineRequirements.DaemonLogPath})");
        var start = new ProcessStartInfo("/usr/bin/setsid")
        {
            UseShellExecute = false,
            // setsid --fork detaches dockerd from this build's session: it outlives the build like a service would.
            ArgumentList = { "--fork", "/bin/sh", "-c", "exec /usr/sbin/dockerd >>\"$0\" 2>&1 </dev/null", EngineRequirements.DaemonLogPath },
        };
        start.Environment["HTTP_PROXY"] = EngineRequirements.ClosedLoopbackProxy;
        start.Environment["HTTPS_PROXY"] = EngineRequirements.ClosedLoopbackProxy;
        start.Environment["NO_PROXY"] = "localhost,127.0.0.1,::1";
        using var process = Process.Start(start) ?? throw new BuildFailureException("Could not start setsid/dockerd.");
        process.WaitForExit();
    }

    private async Task WaitUntilAnswersAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await DockerClients.AnswersAsync(_endpoint, cancellationToken))
        {
            if (deadline.Elapsed > StartTimeout)
            {
                var log = File.Exists(EngineRequirements.DaemonLogPath) ? File.ReadLines(EngineRequirements.DaemonLogPath).TakeLast(20) : [];
                throw new BuildFailureException($"dockerd did not answer on {_endpoint} within {StartTimeout.TotalSeconds} s. Last lines of {EngineRequirements.DaemonLogPath}:{Environment.NewLine}{string.Join(Environment.NewLine, log)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }
}
