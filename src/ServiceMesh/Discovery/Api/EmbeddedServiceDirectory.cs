using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Api;

/// <summary>
/// Embedded mode: the routes use the registry store directly. A write is answered once the store has made it durable,
/// and reads come from the store too, so they show it at once; no HTTP hop to our own Consul port and no wait for
/// the catalog watcher (which publishes the same change to Envoy and certificates about 50 ms later).
/// </summary>
internal sealed class EmbeddedServiceDirectory(RegistryStore store) : ILucidServiceDirectory
{
    public string Registry => "the embedded registry";

    public IReadOnlyList<ServiceSummary> List() => Summaries(store.AllInstances());

    public IReadOnlyList<ServiceSummary>? Find(string name) =>
        store.Instances(name).Instances is { Count: > 0 } instances ? Summaries(instances) : null;

    public async Task<string?> RegisterAsync(AgentServiceRegistration registration, CancellationToken cancellationToken) =>
        await store.RegisterAsync(registration, cancellationToken).ConfigureAwait(false) is { } error
            ? $"The registry refused the registration: {error}."
            : null;

    public async Task<int> DeregisterAsync(string name, CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var instance in store.Instances(name).Instances)
        {
            removed += await store.DeregisterAsync(instance.Service.Id, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        return removed;
    }

    // As the Consul API and the watcher show it: an instance registered without an address answers on the node's.
    private List<ServiceSummary> Summaries(IReadOnlyList<InstanceView> instances) =>
        [.. instances.Select(i => new ServiceSummary(i.Service.Name,
            i.Service.Registration.Address is { Length: > 0 } address ? address : store.NodeAddress, i.Service.Registration.Port,
            i.Service.Tags, i.Service.Id, i.AggregatedStatus))];
}
