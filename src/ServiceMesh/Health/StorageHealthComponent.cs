using System.Globalization;
using ServiceMesh.Configuration;
using ServiceMesh.Storage;

namespace ServiceMesh.Health;

/// <summary>
/// Preflight's folders are still writable (a volume can go read-only or fill later) and <see cref="StorageFaults"/>
/// holds none: unhealthy when a folder cannot be written or a writer refuses callers' writes, degraded when output is
/// only delayed (it retries). Probes are real fsync'd writes, so cached briefly; faults are read live.
/// </summary>
internal sealed class StorageHealthComponent(MeshOptions options, TimeProvider time, StorageFaults faults) : IHealthComponent
{
    internal static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private (DateTimeOffset At, IReadOnlyList<StorageProblem> Problems)? _cached;

    public string Name => "storage";

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken)
    {
        var problems = ProbeProblems();
        var current = faults.Current;
        if (problems.Count == 0 && current.Count == 0)
        {
            return Task.FromResult(ComponentHealth.Healthy($"{options.WritableFolders.Count} folders writable"));
        }

        var detail = string.Join(" ", problems.Select(p => p.ToString()).Concat(current.Select(Describe)));
        return Task.FromResult(problems.Count > 0 || current.Any(f => f.RefusesWrites) ? ComponentHealth.Unhealthy(detail) : ComponentHealth.Degraded(detail));
    }

    private IReadOnlyList<StorageProblem> ProbeProblems()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_cached is { } cached && now - cached.At < CacheFor)
            {
                return cached.Problems;
            }

            var problems = StorageProbe.ProbeAll(options.WritableFolders);
            _cached = (now, problems);
            return problems;
        }
    }

    private static string Describe(StorageFault fault) =>
        $"{fault.Writer}: writing to {fault.Folder} fails since {fault.Since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}"
        + $" ({fault.Error}); {(fault.RefusesWrites ? "its writes are refused until one succeeds again" : "its output is delayed and retried")}.";
}
