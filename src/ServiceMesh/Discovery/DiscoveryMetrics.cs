using System.Diagnostics.Metrics;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Discovery.Watch;

namespace ServiceMesh.Discovery;

/// <summary>
/// Gauges service_mesh_discovery_services, _instances{status}, _blocking_queries{side=client|server} and
/// _watch_lag_seconds (time out of touch with the registry; 0 in step), counted once per snapshot, not per scrape.
/// </summary>
internal sealed class DiscoveryMetrics
{
    public const string MeterName = "ServiceMesh.Discovery";

    private static readonly Dictionary<InstanceHealth, string> StatusNames =
        Enum.GetValues<InstanceHealth>().ToDictionary(h => h, h => h.ToString().ToLowerInvariant());

    public DiscoveryMetrics(IMeterFactory meterFactory, CatalogWatcher watcher, TimeProvider time, RegistryStore? store = null)
    {
        var meter = meterFactory.Create(MeterName);
        var counts = new CatalogCounts();
        meter.CreateObservableGauge("service_mesh.discovery.services", () => counts.Of(watcher.Current).Services,
            description: "Services in the current catalog snapshot");
        meter.CreateObservableGauge("service_mesh.discovery.instances", () =>
            counts.Of(watcher.Current).ByHealth.Select(h =>
                new Measurement<int>(h.Value, new KeyValuePair<string, object?>("status", StatusNames[h.Key]))),
            description: "Service instances by aggregated check status");
        meter.CreateObservableGauge("service_mesh.discovery.blocking_queries", () => new[]
            {
                new Measurement<int>(watcher.QueriesInFlight, new KeyValuePair<string, object?>("side", "client")),
                new Measurement<int>(store?.BlockedQueries ?? 0, new KeyValuePair<string, object?>("side", "server")),
            },
            description: "Blocking queries in flight: the watcher's own (client) and those waiting on the embedded registry (server)");
        meter.CreateObservableGauge("service_mesh.discovery.watch.lag", () =>
            {
                var status = watcher.Status;
                return status.Synced || status.FailingSince is not { } since ? 0.0 : (time.GetUtcNow() - since).TotalSeconds;
            },
            unit: "s", description: "How long the catalog watcher has been unable to reach its registry (0 while in step)");
    }
}
