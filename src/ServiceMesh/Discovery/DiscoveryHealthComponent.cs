using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Watch;
using ServiceMesh.Health;

namespace ServiceMesh.Discovery;

/// <summary>
/// /health component "discovery": healthy while the watcher is in step with the registry; degraded, with the reason,
/// while it is not (the last known catalog is still served, so the mesh keeps routing).
/// </summary>
internal sealed class DiscoveryHealthComponent(CatalogWatcher watcher, MeshOptions options, TimeProvider time) : IHealthComponent
{
    public string Name => "discovery";

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken)
    {
        var status = watcher.Status;
        var snapshot = watcher.Current;
        var instances = snapshot.Services.Values.SelectMany(s => s.Instances).ToList();
        var counts = $"{snapshot.Services.Count} services, {instances.Count} instances "
            + $"({instances.Count(i => i.Health == InstanceHealth.Passing)} passing, {instances.Count(i => i.Health == InstanceHealth.Warning)} warning, "
            + $"{instances.Count(i => i.Health == InstanceHealth.Critical)} critical)";
        var registry = options.DiscoveryMode == DiscoveryMode.Embedded ? "embedded registry" : $"consul at {options.ConsulHost}:{options.ConsulPort}";
        if (status.Synced)
            return Task.FromResult(ComponentHealth.Healthy($"{registry}: {counts}, index {snapshot.Index}"));
        if (status.Problem is null)
            return Task.FromResult(ComponentHealth.Degraded($"{registry}: first sync not finished yet"));
        var since = status.FailingSince is { } s ? $" for {(long)(time.GetUtcNow() - s).TotalSeconds} s" : "";
        var served = status.LastSuccess is null ? "no catalog received yet" : $"serving the last known catalog ({counts}, index {snapshot.Index})";
        return Task.FromResult(ComponentHealth.Degraded($"{registry} unreachable{since}: {status.Problem}; {served}; retrying with backoff"));
    }
}
