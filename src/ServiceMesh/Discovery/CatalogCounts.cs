using System.Collections.Immutable;
using ServiceMesh.Discovery.Watch;

namespace ServiceMesh.Discovery;

/// <summary>A snapshot's figures: services, and instances by aggregated status.</summary>
internal sealed record CatalogFigures(int Services, int Instances, ImmutableDictionary<InstanceHealth, int> ByHealth)
{
    public int Count(InstanceHealth health) => ByHealth.GetValueOrDefault(health);

    /// <summary>"3 services, 5 instances (4 passing, 0 warning, 1 critical)", as /health reports them.</summary>
    public string Text { get; } = $"{Services} services, {Instances} instances ({ByHealth.GetValueOrDefault(InstanceHealth.Passing)} passing, "
        + $"{ByHealth.GetValueOrDefault(InstanceHealth.Warning)} warning, {ByHealth.GetValueOrDefault(InstanceHealth.Critical)} critical)";
}

/// <summary>
/// The figures of the latest snapshot, counted once when a new snapshot is first read and then kept: snapshots are
/// immutable, so the figures of one never change, and /health and /metrics read them as often as they like for free.
/// </summary>
internal sealed class CatalogCounts
{
    private Kept? _kept; // one reference: readers never see a torn pair
    private int _computed;

    public int Computed => Volatile.Read(ref _computed);

    public CatalogFigures Of(CatalogSnapshot snapshot)
    {
        if (Volatile.Read(ref _kept) is { } kept && ReferenceEquals(kept.Snapshot, snapshot))
        {
            return kept.Figures;
        }

        Interlocked.Increment(ref _computed);
        var byHealth = new Dictionary<InstanceHealth, int>();
        var instances = 0;
        foreach (var service in snapshot.Services.Values)
        {
            foreach (var instance in service.Instances)
            {
                instances++;
                byHealth[instance.Health] = byHealth.GetValueOrDefault(instance.Health) + 1;
            }
        }

        var figures = new CatalogFigures(snapshot.Services.Count, instances, byHealth.ToImmutableDictionary());
        Volatile.Write(ref _kept, new Kept(snapshot, figures));
        return figures;
    }

    private sealed record Kept(CatalogSnapshot Snapshot, CatalogFigures Figures);
}
