using System.Collections.Immutable;

namespace ServiceMesh.Discovery.Registry;

/// <summary>Reads, each with the index a blocking query on the same data would use.</summary>
internal sealed partial class RegistryStore
{
    private int _blocked;

    /// <summary>Blocking queries waiting on the embedded server right now (a metric).</summary>
    public int BlockedQueries => Volatile.Read(ref _blocked);

    public IReadOnlyList<ServiceRecord> AgentServices()
    {
        lock (_gate)
        {
            return [.. _services.Values.OrderBy(s => s.Id, StringComparer.Ordinal)];
        }
    }

    /// <summary>Service names with the union of their instances' tags (catalog/services).</summary>
    public (ulong Index, SortedDictionary<string, string[]> Services) CatalogServices()
    {
        lock (_gate)
        {
            var services = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (name, ids) in _idsByName)
            {
                services[name] = ids.SelectMany(id => _services[id].Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            }

            return (Math.Max(_catalogIndex, 1), services);
        }
    }

    /// <summary>The instances of one service with their check states (catalog/service, health/service, DNS).</summary>
    public (ulong Index, IReadOnlyList<InstanceView> Instances) Instances(string name)
    {
        lock (_gate)
        {
            var index = Math.Max(_serviceIndex.GetValueOrDefault(name), 1);
            if (!_idsByName.TryGetValue(name, out var ids))
            {
                return (index, []);
            }

            return (index, ids.Select(id => View(_services[id])).ToList());
        }
    }

    /// <summary>Every instance of every service, by name and then ID, read under one lock: one consistent view.</summary>
    public IReadOnlyList<InstanceView> AllInstances()
    {
        lock (_gate)
        {
            return [.. _idsByName.OrderBy(n => n.Key, StringComparer.Ordinal).SelectMany(n => n.Value.Select(id => View(_services[id])))];
        }
    }

    /// <summary>Every check with its service ID, for the check runner when it starts.</summary>
    public IReadOnlyList<(CheckDefinition Definition, string ServiceId)> AllChecks()
    {
        lock (_gate)
        {
            return [.. _services.Values.SelectMany(s => s.Checks.Select(c => (c, s.Id))), .. _addedChecks.Values.Select(c => (c.Definition, c.ServiceId))];
        }
    }

    public CheckState? CheckStateOf(string checkId)
    {
        lock (_gate)
        {
            return _checkStates.GetValueOrDefault(checkId);
        }
    }

    /// <summary>The current index of a topic (see <see cref="ChangeSignals"/>).</summary>
    public ulong TopicIndex(string topic)
    {
        lock (_gate)
        {
            return Math.Max(1, topic switch
            {
                ChangeSignals.Catalog => _catalogIndex,
                ChangeSignals.Kv => _kvIndex,
                ChangeSignals.Health => _healthIndex,
                ChangeSignals.Sessions => _sessionIndex,
                _ => _serviceIndex.GetValueOrDefault(topic[4..]),
            });
        }
    }

    /// <summary>
    /// A blocking query's wait: returns as soon as the topic's index passes <paramref name="minIndex"/>, or when
    /// <paramref name="wait"/> has passed. Index 0 never blocks (Consul's rule).
    /// </summary>
    /// <param name="currentIndex">The index of the data the query reads, when it is narrower than the topic's (a KV key).</param>
    public async Task WaitAsync(string topic, ulong minIndex, TimeSpan wait, CancellationToken cancellationToken, Func<ulong>? currentIndex = null)
    {
        if (minIndex == 0 || wait <= TimeSpan.Zero)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        Interlocked.Increment(ref _blocked);
        try
        {
            while (true)
            {
                var next = _signals.Next(topic); // first the task, then the index: no lost wake-up
                if ((currentIndex?.Invoke() ?? TopicIndex(topic)) > minIndex)
                {
                    return;
                }

                await next.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // waited the full time without a change: the caller answers with the unchanged data
        }
        finally
        {
            Interlocked.Decrement(ref _blocked);
        }
    }

    /// <summary>The node's own checks (registered without a ServiceID, and node maintenance), by ID.</summary>
    public IReadOnlyList<CheckView> NodeChecks()
    {
        lock (_gate)
        {
            return NodeCheckViews();
        }
    }

    private List<CheckView> NodeCheckViews() =>
        [.. _addedChecks.Values.Where(c => c.ServiceId.Length == 0).OrderBy(c => c.Definition.CheckId, StringComparer.Ordinal).Select(ViewOf)];

    // The service's own checks, then those registered for it alone (by ID).
    private InstanceView View(ServiceRecord service) => new(service,
        [.. service.Checks.Select(c => new CheckView(c, StateOf(c), service.CreateIndex, service.ModifyIndex)),
         .. _addedChecks.Values.Where(c => c.ServiceId == service.Id).OrderBy(c => c.Definition.CheckId, StringComparer.Ordinal).Select(ViewOf)],
        [.. NodeCheckViews()]);

    private CheckView ViewOf(AddedCheck check) => new(check.Definition, StateOf(check.Definition), check.CreateIndex, check.ModifyIndex);

    private CheckState StateOf(CheckDefinition check) => _checkStates.GetValueOrDefault(check.CheckId) ?? new CheckState(check.InitialStatus, "", null);
}
