using Microsoft.Extensions.Logging;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Definitions;

/// <summary>
/// Registers services.yaml's services via the Consul client (embedded or external) and deregisters ones it dropped.
/// Retries while unreachable; an entry refused with 400 is logged and skipped so it cannot block the rest.
/// </summary>
internal sealed partial class CatalogPreloader(ConsulClient client, ServiceDefinitions definitions, TimeProvider time, ILogger<CatalogPreloader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var refused = 0;
                foreach (var definition in definitions.Services)
                {
                    try
                    {
                        await client.RegisterAsync(definition.ToRegistration(), stoppingToken).ConfigureAwait(false);
                    }
                    catch (ConsulException e) when (e.Status == System.Net.HttpStatusCode.BadRequest)
                    {
                        refused++;
                        Log.Refused(logger, definition.Name, definitions.Path ?? "services.yaml", e.Message);
                    }
                }
                var stale = (await client.AgentServicesAsync(stoppingToken).ConfigureAwait(false)).Values
                    .Where(s => s.Meta.GetValueOrDefault(ServiceDefinition.SourceMetaKey) == ServiceDefinition.SourceMetaValue && definitions.Find(s.Service) is null);
                foreach (var service in stale)
                {
                    await client.DeregisterAsync(service.Id, stoppingToken).ConfigureAwait(false);
                }

                Log.Preloaded(logger, definitions.Services.Length - refused, definitions.Path ?? "(no services.yaml)");
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested) // unreachable, or anything unexpected: retry, never stop the host
            {
                Log.PreloadFailed(logger, client.Endpoint.BaseAddress, e.Message);
                await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Registered {Count} platform services from {Path}")]
        public static partial void Preloaded(ILogger logger, int count, string path);

        [LoggerMessage(2, LogLevel.Warning, "Could not register the platform services with {Registry} yet, retrying: {Reason}")]
        public static partial void PreloadFailed(ILogger logger, Uri registry, string reason);

        [LoggerMessage(3, LogLevel.Error, "Service {Service} of {Path} was refused by the registry and is not registered (fix the entry and restart): {Reason}")]
        public static partial void Refused(ILogger logger, string service, string path, string reason);
    }
}
