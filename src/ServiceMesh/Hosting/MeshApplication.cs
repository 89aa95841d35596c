using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceMesh.Api;
using ServiceMesh.Certificates;
using ServiceMesh.Certificates.Api;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery;
using ServiceMesh.Discovery.Api;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Api;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Health;
using ServiceMesh.Metrics;
using ServiceMesh.Storage;

namespace ServiceMesh.Hosting;

/// <summary>
/// The server: validate settings (exit 78), preflight the folders it writes (exit 73), remove temporaries a kill left,
/// then serve until SIGTERM (exit 0), or until a background component fails (exit 70).
/// </summary>
internal static partial class MeshApplication
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> environment, TextWriter error)
    {
        var configuration = MeshConfiguration.Load(environment);
        if (!configuration.IsValid)
        {
            foreach (var problem in configuration.Problems)
            {
                await error.WriteLineAsync($"configuration error: {problem}").ConfigureAwait(false);
            }

            return ExitCodes.Configuration;
        }
        var options = configuration.Options!;
        var (definitions, definitionProblems) = ServiceDefinitionsFile.Load(options.ConfigPath, environment, options.ServicesDefaultAddress);
        if (definitionProblems.Count == 0)
        {
            definitionProblems = DeclaredPorts.Problems(definitions, options);
        }

        if (definitionProblems.Count > 0)
        {
            foreach (var problem in definitionProblems)
            {
                await error.WriteLineAsync($"configuration error: {problem}").ConfigureAwait(false);
            }

            return ExitCodes.Configuration;
        }
        // The earlier image's files: one line each naming what was used and what is ignored, then the start goes on.
        foreach (var warning in configuration.Warnings.Concat(definitions.Warning is { } w ? [w] : Array.Empty<string>()))
        {
            await error.WriteLineAsync($"configuration warning: {warning}").ConfigureAwait(false);
        }

        var storageProblems = StorageProbe.ProbeAll(options.WritableFolders);
        if (storageProblems.Count > 0)
        {
            foreach (var problem in storageProblems)
            {
                await error.WriteLineAsync($"storage error: {problem}").ConfigureAwait(false);
            }

            return ExitCodes.CannotWrite;
        }

        await using var app = Build(options, definitions);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
        {
            await error.WriteLineAsync($"listen error: HTTP_PORT={options.HttpPort} on SERVICE_MESH_HOST={options.BindAddress}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (StateFileException e)
        {
            await error.WriteLineAsync($"state error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.StateUnreadable;
        }
        catch (CertificateAuthorityException e)
        {
            // The CA files exist but cannot be used; they are never overwritten, so a person has to decide.
            await error.WriteLineAsync($"certificate error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Configuration;
        }
        return await ServeAsync(app).ConfigureAwait(false);
    }

    /// <summary>
    /// Serves until the host stops. .NET stops the host when a BackgroundService throws and returns as from a SIGTERM;
    /// exit 0 is not restarted by `restart: unless-stopped`, so a stop caused by a failed component is exit
    /// <see cref="ExitCodes.BackgroundServiceFailed"/> with a critical line naming it and its error.
    /// </summary>
    public static async Task<int> ServeAsync(WebApplication app)
    {
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        var failed = app.Services.GetServices<IHostedService>().OfType<BackgroundService>()
            .Where(s => s.ExecuteTask is { IsFaulted: true }).ToList();
        if (failed.Count == 0)
        {
            return ExitCodes.Success;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MeshApplication).FullName!);
        foreach (var service in failed)
        {
            var error = service.ExecuteTask!.Exception!.InnerExceptions is [var single] ? single : service.ExecuteTask.Exception;
            Log.BackgroundServiceFailed(logger, service.GetType().Name, error.GetType().Name, error.Message, ExitCodes.BackgroundServiceFailed, error);
        }
        return ExitCodes.BackgroundServiceFailed;
    }

    /// <summary>Builds the web host from validated options, reading services.yaml (tests: their own options and routes).</summary>
    public static WebApplication Build(MeshOptions options, Action<WebApplicationBuilder>? configure = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var (definitions, problems) = ServiceDefinitionsFile.Load(options.ConfigPath, environment ?? MeshConfiguration.ProcessEnvironment(), options.ServicesDefaultAddress);
        return problems.Count == 0 ? Build(options, definitions, configure) : throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
    }

    /// <summary>Builds the web host from validated options and the services.yaml already read.</summary>
    public static WebApplication Build(MeshOptions options, ServiceDefinitions definitions, Action<WebApplicationBuilder>? configure = null)
    {
        // No args: the command line is ours (see CommandLine), not ASP.NET Core's configuration source.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.AddMeshHosting(options);
        builder.AddMeshLogging(options);
        builder.AddMeshHealth();
        builder.AddMeshMetrics();
        builder.AddMeshApi();
        builder.AddCertificates();
        builder.AddEnvoy();
        builder.AddDiscovery(options, definitions);
        builder.AddProbesOnConsulPort();
        configure?.Invoke(builder);
        var app = builder.Build();
        RemoveLeftoverTemporaries(options, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MeshApplication).FullName!));
        app.UseMeshApi();
        app.MapCertificates();
        app.MapEnvoy();
        app.MapDiscovery();
        return app;
    }

    /// <summary>
    /// Before anything writes (nothing has started yet, so no write is in progress): the temporaries of writes a kill
    /// interrupted, in every folder the runtime writes through <see cref="AtomicFile"/>. One line per folder.
    /// </summary>
    private static void RemoveLeftoverTemporaries(MeshOptions options, ILogger logger)
    {
        // LOGS_PATH is left alone: the runtime logs to stdout and never writes a file there.
        foreach (var folder in options.WritableFolders.Where(f => f.EnvironmentName != MeshSettings.LogsPath.EnvironmentName))
        {
            var outcome = LeftoverTemporaries.Remove(folder.Path);
            Log.TemporariesRemoved(logger, outcome.Removed, folder.EnvironmentName, folder.Path);
            foreach (var failure in outcome.Failures)
            {
                Log.TemporaryNotRemoved(logger, failure);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Critical, "Background component {Service} failed and stopped the service mesh: {ErrorType}: {Error}. Exiting with code {ExitCode} so it is restarted")]
        public static partial void BackgroundServiceFailed(ILogger logger, string service, string errorType, string error, int exitCode, Exception exception);

        [LoggerMessage(2, LogLevel.Information, "Removed {Count} leftover temporary file(s) of interrupted writes from {Variable}={Path}")]
        public static partial void TemporariesRemoved(ILogger logger, int count, string variable, string path);

        [LoggerMessage(3, LogLevel.Warning, "A leftover temporary file could not be removed (it is harmless; remove it by hand): {Failure}")]
        public static partial void TemporaryNotRemoved(ILogger logger, string failure);
    }
}
