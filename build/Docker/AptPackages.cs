using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Docker;

/// <summary>Installs missing Debian packages (apt-get update only when something is missing).</summary>
internal sealed class AptPackages
{
    private static readonly Dictionary<string, string?> NonInteractive = new() { ["DEBIAN_FRONTEND"] = "noninteractive" };

    private readonly ToolRunner _tools;

    public AptPackages(ToolRunner tools) => _tools = tools;

    /// <summary>Root on a Debian-like host: packages can be installed here without asking anyone.</summary>
    public static bool CanInstall => Environment.UserName == "root" && File.Exists("/usr/bin/apt-get") && File.Exists("/usr/bin/dpkg-query");

    public async Task EnsureInstalledAsync(IEnumerable<string> packages, string? foreignArchitecture, CancellationToken cancellationToken)
    {
        var needUpdate = false;
        if (foreignArchitecture is not null && !await HasForeignArchitectureAsync(foreignArchitecture, cancellationToken))
        {
            // The arm64 base image is made from arm64 .debs; apt only lists them once the architecture is added.
            await _tools.RunAsync("dpkg", ["--add-architecture", foreignArchitecture], cancellationToken);
            needUpdate = true;
        }

        var missing = new List<string>();
        foreach (var package in packages.Distinct(StringComparer.Ordinal))
        {
            if (!await IsInstalledAsync(package, cancellationToken))
            {
                missing.Add(package);
            }
        }

        if (missing.Count > 0 || needUpdate)
        {
            await _tools.RunAsync("apt-get", ["update", "-qq"], cancellationToken, environment: NonInteractive, quiet: true);
        }

        if (missing.Count > 0)
        {
            await _tools.RunAsync("apt-get", ["install", "-y", "-q", "--no-install-recommends", .. missing], cancellationToken, environment: NonInteractive, quiet: true);
        }
    }

    public async Task<bool> IsInstalledAsync(string package, CancellationToken cancellationToken)
    {
        var status = "";
        await _tools.RunAsync("dpkg-query", ["-W", "-f=${Status}", package], cancellationToken,
            onOutputLine: line => status += line, quiet: true, acceptedExitCodes: [0, 1]);
        return status.Contains("install ok installed", StringComparison.Ordinal);
    }

    private async Task<bool> HasForeignArchitectureAsync(string architecture, CancellationToken cancellationToken)
    {
        var found = false;
        await _tools.RunAsync("dpkg", ["--print-foreign-architectures"], cancellationToken,
            onOutputLine: line => found |= line.Trim() == architecture, quiet: true);
        found |= await PrintsAsync("dpkg", ["--print-architecture"], architecture, cancellationToken);
        return found;
    }

    private async Task<bool> PrintsAsync(string executable, string[] args, string expected, CancellationToken cancellationToken)
    {
        var found = false;
        await _tools.RunAsync(executable, args, cancellationToken, onOutputLine: line => found |= line.Trim() == expected, quiet: true);
        return found;
    }
}
