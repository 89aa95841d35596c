using ServiceMesh.Install;

namespace ServiceMesh.Hosting;

/// <summary><c>service-mesh verify-install [--app-dir DIR] [--markers DIR] [--root-prefix DIR]</c>: prints each check, exit 0 or 1.</summary>
internal static class VerifyInstallCommand
{
    public const string Usage = "verify-install [--app-dir DIR] [--markers DIR] [--root-prefix DIR]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment, TextWriter output, TextWriter error)
    {
        var appDirectory = AppContext.BaseDirectory;
        var markers = environment.GetValueOrDefault("MARKERS_PATH") is { Length: > 0 } fromEnvironment ? fromEnvironment : InstallLayout.DefaultMarkersDirectory;
        string? rootPrefix = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--app-dir" when value is not null: appDirectory = value; i++; break;
                case "--markers" when value is not null: markers = value; i++; break;
                case "--root-prefix" when value is not null: rootPrefix = value; i++; break;
                default:
                    await error.WriteLineAsync($"verify-install: unknown or incomplete option '{args[i]}'. Usage: service-mesh {Usage}").ConfigureAwait(false);
                    return ExitCodes.Usage;
            }
        }

        var checks = await InstallVerifier.VerifyAsync(new InstallLayout(Path.GetFullPath(appDirectory), Path.GetFullPath(markers), rootPrefix), CancellationToken.None).ConfigureAwait(false);
        foreach (var check in checks)
        {
            await output.WriteLineAsync(check.ToString()).ConfigureAwait(false);
        }

        var failed = checks.Count(c => !c.Passed);
        await output.WriteLineAsync($"verify-install: {checks.Count - failed} passed, {failed} failed").ConfigureAwait(false);
        return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }
}
