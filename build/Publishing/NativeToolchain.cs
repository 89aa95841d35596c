using System.Runtime.InteropServices;
using ServiceMesh.Build.Docker;
using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Publishing;

/// <summary>
/// Native AOT needs a plain <c>clang</c>, and for another architecture a cross linker and libc. On Debian as root
/// the build installs what is missing (about 10 s); anywhere else it names the exact command to run.
/// </summary>
internal sealed class NativeToolchain
{
    private readonly ToolRunner _tools;
    private readonly IReadOnlyDictionary<string, string> _environment;

    public NativeToolchain(ToolRunner tools, IReadOnlyDictionary<string, string> environment)
    {
        _tools = tools;
        _environment = environment;
    }

    /// <summary>The arm64 cross compiler and libc: the linker for arm64 AOT, and what the emulation probe is built with.</summary>
    public static readonly string[] Arm64CrossPackages = ["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"];

    /// <summary>Debian packages that publishing <paramref name="runtime"/> needs on a host of <paramref name="host"/> architecture.</summary>
    public static IReadOnlyList<string> RequiredPackages(string runtime, Architecture host)
    {
        var packages = new List<string> { "clang" };
        var target = runtime.EndsWith("arm64", StringComparison.Ordinal) ? Architecture.Arm64
            : runtime.EndsWith("x64", StringComparison.Ordinal) ? Architecture.X64
            : throw new BuildFailureException($"Runtime '{runtime}' is not supported; expected linux-x64 or linux-arm64.", ExitCodes.UsageError);
        if (target != host)
        {
            packages.AddRange(target == Architecture.Arm64 ? Arm64CrossPackages : ["gcc-x86-64-linux-gnu", "libc6-dev-amd64-cross"]);
        }

        return packages;
    }

    public async Task EnsureAsync(string runtime, CancellationToken cancellationToken)
    {
        var apt = new AptPackages(_tools);
        var missing = new List<string>();
        foreach (var package in RequiredPackages(runtime, RuntimeInformation.OSArchitecture))
        {
            if (!await IsInstalledAsync(apt, package, cancellationToken))
            {
                missing.Add(package);
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        if (!AptPackages.CanInstall)
        {
            throw new BuildFailureException($"Native AOT for {runtime} needs {string.Join(", ", missing)}. Install them (as root): " +
                $"apt-get update && apt-get install -y --no-install-recommends {string.Join(' ', missing)}");
        }

        await apt.EnsureInstalledAsync(missing, foreignArchitecture: null, cancellationToken);
    }

    private async Task<bool> IsInstalledAsync(AptPackages apt, string package, CancellationToken cancellationToken)
    {
        if (package == "clang")
        {
            // The package is not the point: the ILCompiler calls a plain 'clang' found on PATH.
            var path = _environment.GetValueOrDefault("PATH", "/usr/bin");
            return path.Split(':').Any(dir => File.Exists(Path.Combine(dir, "clang")));
        }

        return File.Exists("/usr/bin/dpkg-query") && await apt.IsInstalledAsync(package, cancellationToken);
    }
}
