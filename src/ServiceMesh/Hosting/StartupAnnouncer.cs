using Microsoft.Extensions.Logging;
using ServiceMesh.Configuration;

namespace ServiceMesh.Hosting;

/// <summary>Logs one line when the API is listening and one when shutdown begins (never the token, only whether it is set).</summary>
internal sealed partial class StartupAnnouncer(IHostApplicationLifetime lifetime, MeshOptions options, ILogger<StartupAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => Log.Listening(logger, BuildInfo.Version, options.BindAddress.ToString(), options.HttpPort,
            options.DiscoveryMode.ToString().ToLowerInvariant(), options.ApiToken is null ? "open (SERVICE_MESH_API_TOKEN not set)" : "bearer token required"));
        lifetime.ApplicationStopping.Register(() => Log.Stopping(logger, HostingExtensions.ShutdownTimeout.TotalSeconds));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "service-mesh {Version} listening on {Address}:{Port} (discovery {Mode}; mutating routes {TokenState})")]
        public static partial void Listening(ILogger logger, string version, string address, int port, string mode, string tokenState);

        [LoggerMessage(2, LogLevel.Information, "Stopping: no new connections, finishing in-flight requests (up to {Seconds} s)")]
        public static partial void Stopping(ILogger logger, double seconds);
    }
}
