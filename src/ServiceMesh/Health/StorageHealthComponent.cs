using ServiceMesh.Configuration;
using ServiceMesh.Hosting;

namespace ServiceMesh.Health;

/// <summary>
/// The folders preflight checked are still writable (a volume can be remounted read-only or fill up later).
/// Probes are real writes with fsync, so the result is cached briefly to keep frequent /health polls cheap.
/// </summary>
internal sealed class StorageHealthComponent(MeshOptions options, TimeProvider time) : IHealthComponent
{
    internal static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private (DateTimeOffset At, ComponentHealth Health)? _cached;

    public string Name => "storage";

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_cached is { } cached && now - cached.At < CacheFor)
                return Task.FromResult(cached.Health);
            var problems = StorageProbe.ProbeAll(options.WritableFolders);
            var health = problems.Count == 0
                ? ComponentHealth.Healthy($"{options.WritableFolders.Count} folders writable")
                : ComponentHealth.Unhealthy(string.Join(" ", problems));
            _cached = (now, health);
            return Task.FromResult(health);
        }
    }
}
