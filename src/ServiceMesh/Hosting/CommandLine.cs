using ServiceMesh.Configuration;
using ServiceMesh.Install;

namespace ServiceMesh.Hosting;

/// <summary>The one executable's commands: run (default), healthcheck, verify-install, --version, --help.</summary>
internal static class CommandLine
{
    private static readonly string Help = $"""
        service-mesh {BuildInfo.Version} - Lucid service mesh runtime

        Usage:
          service-mesh                 run the mesh (HTTP API on SERVICE_MESH_HOST:HTTP_PORT)
          service-mesh healthcheck [--timeout 1500ms]
                                       GET /health on the local instance; exit 0 when healthy or degraded
                                       (the reason is printed), 1 when unhealthy or not answering
          service-mesh {VerifyInstallCommand.Usage}
                                       check the executable, default config and install markers; exit 0 or 1
          service-mesh --version       print the version
          service-mesh --help          print this help

        Settings (environment > CONFIG_PATH/service-mesh.yaml > default). An earlier name is read when the new one is
        unset; both set to different values is an error (exit 78):
        {string.Join(Environment.NewLine, MeshSettings.All.Select(s => $"  {s.EnvironmentName,-28}{(s.Default.Length == 0 ? "(unset)" : s.Default)}"
            + (s.Aliases is { Count: > 0 } aliases ? $"  (earlier name{(aliases.Count > 1 ? "s" : "")}: {string.Join(", ", aliases)})" : "")))}
          MARKERS_PATH                {InstallLayout.DefaultMarkersDirectory} (verify-install)

        Exit codes: 0 ok, 1 failure, 64 usage, 73 a folder is not writable, 74 state under DATA_PATH cannot be read, 78 invalid configuration.
        """;

    public static Task<int> RunAsync(string[] args) => RunAsync(args, MeshConfiguration.ProcessEnvironment(), Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, string?> environment, TextWriter output, TextWriter error)
    {
        switch (args.FirstOrDefault())
        {
            case null or "run" when args.Length <= 1:
                return await MeshApplication.RunAsync(environment, error).ConfigureAwait(false);
            case "healthcheck":
                if (HealthcheckCommand.ParseTimeout(args[1..], out var problem) is not { } timeout)
                {
                    await error.WriteLineAsync($"service-mesh healthcheck: {problem}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }
                return await HealthcheckCommand.RunAsync(environment, output, timeout).ConfigureAwait(false);
            case "verify-install":
                return await VerifyInstallCommand.RunAsync(args[1..], environment, output, error).ConfigureAwait(false);
            case "--version" or "version":
                await output.WriteLineAsync($"service-mesh {BuildInfo.Version}").ConfigureAwait(false);
                return ExitCodes.Success;
            case "--help" or "-h" or "help":
                await output.WriteLineAsync(Help).ConfigureAwait(false);
                return ExitCodes.Success;
            default:
                await error.WriteLineAsync($"service-mesh: unknown command '{string.Join(' ', args)}'. Run 'service-mesh --help'.").ConfigureAwait(false);
                return ExitCodes.Usage;
        }
    }
}
