using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Watch;
using ServiceMesh.Health;

namespace ServiceMesh.Discovery;

/// <summary>
/// /health component "discovery": healthy while the watcher is in step with the registry; degraded, with the reason,
/// while it is not (the last known catalog is still served, so the mesh keeps routing). The instance counts are
/// counted once per published snapshot (<see cref="CatalogCounts"/>), not at every /health.
/// </summary>
internal sealed class DiscoveryHealthComponent(CatalogWatcher watcher, DiscoverySettings settings, TimeProvider time) : IKeptHealthComponent
{
    private readonly CatalogCounts _counts = new();

    public string Name => "discovery";

    /// <summary>How many snapshots were counted (one per snapshot read, however often /health asks).</summary>
    internal int CountsComputed => _counts.Computed;

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(Current);

    public ComponentHealth Current
    {
        get
        {
            var status = watcher.Status;
            var snapshot = watcher.Current;
            var counts = _counts.Of(snapshot).Text;
            var registry = settings.Mode == DiscoveryMode.Embedded ? "embedded registry" : $"consul at {settings.ConsulHost}:{settings.ConsulPort}";
            if (status.Synced)
            {
                return ComponentHealth.Healthy($"{registry}: {counts}, index {snapshot.Index}");
            }

            if (status.Problem is null)
            {
                return ComponentHealth.Degraded($"{registry}: first sync not finished yet");
            }

            var since = status.FailingSince is { } s ? $" for {(long)(time.GetUtcNow() - s).TotalSeconds} s" : "";
            var served = status.LastSuccess is null ? "no catalog received yet" : $"serving the last known catalog ({counts}, index {snapshot.Index})";
            return ComponentHealth.Degraded($"{registry} unreachable{since}: {status.Problem}; {served}; retrying with backoff");
        }
    }
}
