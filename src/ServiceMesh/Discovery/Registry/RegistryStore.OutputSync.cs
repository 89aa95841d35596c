namespace ServiceMesh.Discovery.Registry;

/// <summary>
/// Output-only check changes, as Consul's agent handles them (local/state.go UpdateCheck): the new output is kept at
/// once, but watchers hear of it only when a deferred sync runs, half to one and a half check_update_interval later.
/// </summary>
internal sealed partial class RegistryStore
{
    /// <summary>Consul's check_update_interval default.</summary>
    public static readonly TimeSpan CheckUpdateInterval = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, ITimer> _outputSyncs = new(StringComparer.Ordinal);

    // Under the lock. One pending sync per check: further output changes before it runs ride along with it.
    private void DeferOutputSync(string checkId)
    {
        if (_outputSyncs.ContainsKey(checkId))
        {
            return;
        }

        var delay = CheckUpdateInterval / 2 + TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * CheckUpdateInterval.Ticks));
        _outputSyncs[checkId] = _time.CreateTimer(_ => SyncOutput(checkId), null, delay, Timeout.InfiniteTimeSpan);
    }

    // Under the lock: a status change (synced at once) or the check's removal makes the pending sync moot.
    private void CancelOutputSync(string checkId)
    {
        if (_outputSyncs.Remove(checkId, out var timer))
        {
            timer.Dispose();
        }
    }

    private void SyncOutput(string checkId)
    {
        List<string> names;
        lock (_gate)
        {
            if (!_outputSyncs.Remove(checkId, out var timer) || !_serviceIdByCheck.TryGetValue(checkId, out var serviceId))
            {
                return;
            }

            timer.Dispose();
            names = MoveCheckIndex(serviceId, ++_assigned);
        }
        SignalChecks(names);
    }
}
