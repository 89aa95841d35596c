using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>Why a check write was refused, with Consul's status for it (400, or 404 for an unknown service).</summary>
internal sealed record CheckRefusal(int Status, string Reason);

/// <summary>Checks registered on their own (agent/check/register, maintenance, catalog/register) and check results.</summary>
internal sealed partial class RegistryStore
{
    private readonly Dictionary<string, AddedCheck> _addedChecks = new(StringComparer.Ordinal);

    /// <summary>Registers or replaces a check bound to a service (ServiceID) or to the node. Throws
    /// <see cref="Storage.StorageUnavailableException"/> when it could not be made durable.</summary>
    public async Task<CheckRefusal?> RegisterCheckAsync(AgentCheckRegistration request, CancellationToken cancellationToken = default)
    {
        var (registration, _, error) = CheckRegistrationRules.Normalize(request, CheckNetworks);
        if (error is not null)
        {
            return new CheckRefusal(400, $"Invalid check: {error}");
        }

        if (CheckConflict(registration!) is { } conflict)
        {
            return conflict;
        }

        // Decided again when applied, in log order: the service may be gone by then.
        return await Queue(index => LogRecord.CheckRegister(registration!, index)).WaitAsync(cancellationToken).ConfigureAwait(false)
            ? null : CheckConflict(registration!) ?? new CheckRefusal(404, $"ServiceID \"{registration!.ServiceId}\" does not exist");
    }

    /// <summary>False when no check registered on its own had that ID (a service's own check is removed with its service).</summary>
    public Task<bool> DeregisterCheckAsync(string checkId, CancellationToken cancellationToken = default) =>
        Queue(index => LogRecord.CheckDeregister(checkId, index)).WaitAsync(cancellationToken);

    /// <summary>catalog/deregister of this node: everything registered through the API (see ApplyNodeDeregistration).</summary>
    public Task<bool> DeregisterNodeAsync(CancellationToken cancellationToken = default) =>
        Queue(LogRecord.NodeDeregister).WaitAsync(cancellationToken);

    /// <summary>Maintenance on or off for a service ("" for the node); false when the service does not exist.</summary>
    public async Task<bool> SetMaintenanceAsync(string serviceId, bool enable, string? reason, CancellationToken cancellationToken = default)
    {
        var check = CheckRegistrationRules.Maintenance(serviceId, reason);
        if (enable)
        {
            return await Queue(index => LogRecord.Maintenance(check, index)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (serviceId.Length > 0 && AgentServices().All(s => s.Id != serviceId))
        {
            return false;
        }

        await DeregisterCheckAsync(check.Id!, cancellationToken).ConfigureAwait(false); // off when already off: nothing to do
        return true;
    }

    /// <summary>Records a check result. A new status moves the index at once; a new output alone is kept (reads show it) but
    /// moves the index at most once per <see cref="CheckUpdateInterval"/> per check, as Consul's agent syncs output.</summary>
    public bool SetCheckState(string checkId, string status, string output)
    {
        List<string> names;
        lock (_gate)
        {
            if (!_checkStates.TryGetValue(checkId, out var previous) || !_serviceIdByCheck.TryGetValue(checkId, out var serviceId))
            {
                return false;
            }

            if (previous.Status == status && previous.Output == output)
            {
                return true;
            }

            var criticalSince = status == HealthStatuses.Critical ? previous.CriticalSince ?? _time.GetUtcNow() : (DateTimeOffset?)null;
            _checkStates[checkId] = new CheckState(status, output, criticalSince);
            if (previous.Status == status)
            {
                DeferOutputSync(checkId);
                return true;
            }

            CancelOutputSync(checkId);
            names = MoveCheckIndex(serviceId, ++_assigned);
        }
        SignalChecks(names);
        if (status == HealthStatuses.Critical)
        {
            DestroySessionsOnCritical(checkId);
        }

        return true;
    }

    /// <summary>agent/check/pass|warn|fail|update: null when unknown, false when the check is not a TTL check.</summary>
    public bool? UpdateTtl(string checkId, string status, string? note)
    {
        lock (_gate)
        {
            if (DefinitionOf(checkId) is not { } definition)
            {
                return null;
            }

            if (definition.Ttl is null)
            {
                return false;
            }
        }
        SetCheckState(checkId, status, note ?? "");
        CheckChanged?.Invoke(new CheckEvent.TtlUpdated(checkId));
        return true;
    }

    // Under the lock. Consul's state store moves the index of every service on the node for a node-level check
    // (catalog.go updateAllServiceIndexesOfNode): a node check is part of each of their health entries.
    private List<string> MoveCheckIndex(string serviceId, ulong index)
    {
        _healthIndex = _index = Math.Max(_index, index);
        List<string> names = serviceId.Length == 0 ? [.. _idsByName.Keys] : _services.TryGetValue(serviceId, out var service) ? [service.Name] : [];
        foreach (var name in names)
        {
            _serviceIndex[name] = _index;
        }

        return names;
    }

    private void SignalChecks(List<string> names)
    {
        foreach (var name in names)
        {
            _signals.Signal(ChangeSignals.Service(name));
        }
        _signals.Signal(ChangeSignals.Health);
    }

    private CheckDefinition? DefinitionOf(string checkId) =>
        _addedChecks.TryGetValue(checkId, out var added) ? added.Definition
        : _serviceIdByCheck.TryGetValue(checkId, out var serviceId) && _services.TryGetValue(serviceId, out var service)
            ? service.Checks.FirstOrDefault(c => c.CheckId == checkId) : null;

    private CheckRefusal? CheckConflict(AgentCheckRegistration registration)
    {
        lock (_gate)
        {
            if (registration.ServiceId is { Length: > 0 } serviceId && !_services.ContainsKey(serviceId))
            {
                return new CheckRefusal(404, $"ServiceID \"{serviceId}\" does not exist");
            }
            // Consul keeps one check per ID; here a service's own checks live in its registration, which this would bypass.
            return _serviceIdByCheck.TryGetValue(registration.Id!, out var owner) && !_addedChecks.ContainsKey(registration.Id!)
                ? new CheckRefusal(400, $"Invalid check: CheckID \"{registration.Id}\" belongs to service \"{owner}\"'s registration; re-register the service to change it")
                : null;
        }
    }
}
