using System.Collections.Immutable;
using ServiceMesh.Discovery.Definitions;

namespace ServiceMesh.Discovery.Watch;

// The contract discovery publishes for the Envoy writer and the certificate manager. Everything here is immutable:
// hold on to a snapshot as long as you like, it never changes under you.

/// <summary>An instance's aggregated check status: the worst of its checks (no checks = passing), as Consul computes it.</summary>
internal enum InstanceHealth { Passing, Warning, Critical }

/// <summary>One registered instance of a service.</summary>
internal sealed record CatalogInstance(
    string Id, string Service, string Address, int Port,
    ImmutableArray<string> Tags, ImmutableSortedDictionary<string, string> Meta, InstanceHealth Health);

/// <summary>A service: its instances (ordered by ID) and, for platform services, its services.yaml definition.</summary>
internal sealed record CatalogService(string Name, ImmutableArray<CatalogInstance> Instances, ServiceDefinition? Definition)
{
    /// <summary>Value equality over the instances too (records compare ImmutableArray by reference).</summary>
    public bool SameAs(CatalogService? other) =>
        other is not null && Name == other.Name && Definition == other.Definition && Instances.SequenceEqual(other.Instances, InstanceComparer.Instance);

    private sealed class InstanceComparer : IEqualityComparer<CatalogInstance>
    {
        public static readonly InstanceComparer Instance = new();
        public bool Equals(CatalogInstance? x, CatalogInstance? y) =>
            x is not null && y is not null && x.Id == y.Id && x.Service == y.Service && x.Address == y.Address && x.Port == y.Port
            && x.Health == y.Health && x.Tags.SequenceEqual(y.Tags) && x.Meta.SequenceEqual(y.Meta);
        public int GetHashCode(CatalogInstance obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}

/// <summary>
/// The whole catalog at one moment. <see cref="Index"/> is the registry's index (Consul's X-Consul-Index) of the
/// newest data in it and only grows while the registry lives; <see cref="Version"/> counts published snapshots.
/// </summary>
internal sealed record CatalogSnapshot(ulong Index, long Version, DateTimeOffset Taken, ImmutableSortedDictionary<string, CatalogService> Services)
{
    public static readonly CatalogSnapshot Empty = new(0, 0, DateTimeOffset.MinValue, ImmutableSortedDictionary<string, CatalogService>.Empty);

    public CatalogService? Find(string name) => Services.GetValueOrDefault(name);
}

/// <summary>A published change: the new snapshot and the names of the services that changed (added, removed or modified).</summary>
internal sealed record CatalogChange(CatalogSnapshot Snapshot, ImmutableArray<string> ChangedServices);

/// <summary>Is the watcher in touch with its registry? When not, the last snapshot stays current and is served.</summary>
internal sealed record WatchStatus(bool Synced, string? Problem, DateTimeOffset? FailingSince, DateTimeOffset? LastSuccess);

/// <summary>
/// The catalog, kept current from the registry (embedded or external Consul) through blocking queries.
/// Changes are debounced (about 50 ms): a burst of registrations becomes one <see cref="CatalogChange"/>.
/// </summary>
internal interface ICatalogWatcher
{
    /// <summary>The latest published snapshot (<see cref="CatalogSnapshot.Empty"/> before the first sync).</summary>
    CatalogSnapshot Current { get; }

    WatchStatus Status { get; }

    /// <summary>
    /// Completes once a published snapshot holds every service the first catalog read listed, each as its first read
    /// found it: the whole registry as it was at start, not the part that happened to be read first. Never completes
    /// while the registry does not answer.
    /// </summary>
    Task Loaded { get; }

    /// <summary>
    /// Changes from now on. The first item is the current snapshot with every service listed as changed, so a
    /// consumer can build its whole state from it. A slow consumer gets every change in order (the queue is unbounded,
    /// each item carries the full snapshot, so skipping to the last one queued is always safe).
    /// </summary>
    IAsyncEnumerable<CatalogChange> WatchAsync(CancellationToken cancellationToken);
}
