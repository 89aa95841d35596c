using System.Diagnostics;

namespace ServiceMesh.Tests.Support;

internal sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// The real `service-mesh` executable (the referenced project's build output, copied beside the tests) as a child
/// process, with exactly the environment given: Lucid variables inherited from the test runner are removed first.
/// </summary>
internal sealed class MeshProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    private MeshProcess(Process process)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public static MeshProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        StartCommand(environment, "dotnet", [Path.Combine(AppContext.BaseDirectory, "service-mesh.dll"), .. args]);

    /// <summary>
    /// The executable started under <paramref name="umask"/> (octal, e.g. "077"): a shell sets it and then becomes the
    /// runtime (exec), so the process id, signals and exit code are the runtime's own. The umask is process-wide, so
    /// a child process is the only way to vary it while other tests run.
    /// </summary>
    public static MeshProcess StartWithUmask(IReadOnlyDictionary<string, string?> environment, string umask) =>
        StartCommand(environment, "/bin/sh", ["-c", $"umask {umask} && exec dotnet \"$0\"", Path.Combine(AppContext.BaseDirectory, "service-mesh.dll")]);

    /// <summary>
    /// The executable in a private mount namespace on a tmpfs of <paramref name="size"/> (e.g. "512k") mounted over
    /// <paramref name="folder"/>: a real, small disk that only the child sees (root with CAP_SYS_ADMIN). The test reaches
    /// the mount through <see cref="InNamespace"/>.
    /// </summary>
    public static MeshProcess StartOnSmallDisk(IReadOnlyDictionary<string, string?> environment, string folder, string size) =>
        StartCommand(environment, "unshare", ["-m", "sh", "-c",
            $"mount -t tmpfs -o size={size},mode=0755 tmpfs '{folder}' && exec dotnet '{Path.Combine(AppContext.BaseDirectory, "service-mesh.dll")}'"]);

    /// <summary>A path as the child process sees it (its mount namespace), through /proc/&lt;pid&gt;/root.</summary>
    public string InNamespace(string path) => $"/proc/{_process.Id}/root{Path.GetFullPath(path)}";

    public bool HasExited => _process.HasExited;

    /// <summary>Runs another command (e.g. unshare wrapping service-mesh) with the same clean environment.</summary>
    public static async Task<ProcessResult> RunCommandAsync(IReadOnlyDictionary<string, string?> environment, string command, params string[] args)
    {
        using var process = StartCommand(environment, command, args);
        return await process.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static MeshProcess StartCommand(IReadOnlyDictionary<string, string?> environment, string command, string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var setting in ServiceMesh.Configuration.MeshSettings.All)
        {
            info.Environment.Remove(setting.EnvironmentName);
        }

        info.Environment.Remove("MARKERS_PATH");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return new MeshProcess(Process.Start(info)!);
    }

    public static async Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var process = Start(environment, args);
        return await process.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Sends SIGTERM, as `docker stop` does.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    /// <summary>SIGKILL, as a crash or `docker kill`: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async Task<ProcessResult> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return new ProcessResult(_process.ExitCode, await _output, await _error);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
