using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using ServiceMesh.Api;
using ServiceMesh.Certificates;
using ServiceMesh.Configuration;
using ServiceMesh.Envoy;
using ServiceMesh.Discovery;
using ServiceMesh.Discovery.Api;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Health;
using ServiceMesh.Metrics;
using ServiceMesh.Storage;

namespace ServiceMesh.Hosting;

/// <summary>The server: validate settings (exit 78), preflight the folders it writes (exit 73), then serve until SIGTERM.</summary>
internal static class MeshApplication
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> environment, TextWriter error)
    {
        var configuration = MeshConfiguration.Load(environment);
        if (!configuration.IsValid)
        {
            foreach (var problem in configuration.Problems)
                await error.WriteLineAsync($"configuration error: {problem}").ConfigureAwait(false);
            return ExitCodes.Configuration;
        }
        var options = configuration.Options!;
        var (definitions, definitionProblems) = ServiceDefinitionsFile.Load(options.ConfigPath, environment, options.ServicesDefaultAddress);
        if (definitionProblems.Count > 0)
        {
            foreach (var problem in definitionProblems)
                await error.WriteLineAsync($"configuration error: {problem}").ConfigureAwait(false);
            return ExitCodes.Configuration;
        }
        // The earlier image's files: one line each naming what was used and what is ignored, then the start goes on.
        foreach (var warning in configuration.Warnings.Concat(definitions.Warning is { } w ? [w] : Array.Empty<string>()))
            await error.WriteLineAsync($"configuration warning: {warning}").ConfigureAwait(false);

        var storageProblems = StorageProbe.ProbeAll(options.WritableFolders);
        if (storageProblems.Count > 0)
        {
            foreach (var problem in storageProblems)
                await error.WriteLineAsync($"storage error: {problem}").ConfigureAwait(false);
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
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return ExitCodes.Success;
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
        app.UseMeshApi();
        app.MapCertificateEndpoints();
        app.MapEnvoy();
        app.MapDiscoveryEndpoints();
        return app;
    }
}
