using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Watch;

namespace ServiceMesh.Discovery.Api;

/// <summary>
/// Consul mode: writes go to the external Consul through the client and are answered once the catalog watcher has
/// seen them; reads come from the watcher's snapshot, which is also what stays served while Consul is away.
/// </summary>
internal sealed class ConsulServiceDirectory(ConsulClient client, CatalogWatcher watcher) : ILucidServiceDirectory
{
    private static readonly TimeSpan VisibleWithin = TimeSpan.FromSeconds(5);

    public string Registry => $"the registry at {client.Endpoint.BaseAddress}";

    public IReadOnlyList<ServiceSummary> List() =>
        [.. watcher.Current.Services.Values.SelectMany(s => s.Instances).Select(Summary)];

    public IReadOnlyList<ServiceSummary>? Find(string name) =>
        watcher.Current.Find(name) is { } service ? [.. service.Instances.Select(Summary)] : null;

    public async Task<string?> RegisterAsync(AgentServiceRegistration registration, CancellationToken cancellationToken)
    {
        try
        {
            await client.RegisterAsync(registration, cancellationToken).ConfigureAwait(false);
        }
        catch (ConsulException e) when (e.Status == System.Net.HttpStatusCode.BadRequest)
        {
            return e.Message; // Consul refusing the values is a validation error like ours
        }
        await watcher.WaitUntilAsync(s => s.Find(registration.Name)?.Instances.Any(i => i.Id == registration.Id) == true, VisibleWithin, cancellationToken).ConfigureAwait(false);
        return null;
    }

    public async Task<int> DeregisterAsync(string name, CancellationToken cancellationToken)
    {
        var removed = 0;
        var instances = await client.CatalogServiceAsync(name, null, cancellationToken).ConfigureAwait(false);
        foreach (var instance in instances.Value)
        {
            removed += await client.DeregisterAsync(instance.ServiceId, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        if (removed > 0)
        {
            await watcher.WaitUntilAsync(s => s.Find(name) is null, VisibleWithin, cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    private static ServiceSummary Summary(CatalogInstance i) =>
        new(i.Service, i.Address, i.Port, i.Tags, i.Id, i.Health.ToString().ToLowerInvariant());
}
