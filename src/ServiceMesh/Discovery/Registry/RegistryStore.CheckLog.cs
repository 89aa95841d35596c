using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Definitions;

namespace ServiceMesh.Discovery.Registry;

/// <summary>Applying the check records of the log (live and at replay, in log order) and capturing them for a snapshot.</summary>
internal sealed partial class RegistryStore
{
    private bool ApplyCheckOp(LogRecord record, AppliedChanges? changes)
    {
        switch (record.Op)
        {
            case LogRecord.CheckRegisterOp when record.Check is { } check && CheckRegistrationRules.Normalize(check, networks: null) is { Definition: { } definition }:
                return AddCheck(definition, check, record.Index, changes);
            case LogRecord.MaintenanceOp when record.Check is { } check:
                // Already in maintenance: kept as it is, with its first reason (agent.go EnableServiceMaintenance).
                return _addedChecks.ContainsKey(check.Id!) || AddCheck(CheckRegistrationRules.MaintenanceDefinition(check), check, record.Index, changes);
            case LogRecord.CheckDeregisterOp when _addedChecks.TryGetValue(record.Id ?? "", out var added):
                RemoveAddedChecks([added.Definition.CheckId], changes, record.Index);
                TouchChecks(added.ServiceId, record.Index, changes);
                return true;
            case LogRecord.NodeDeregisterOp:
                ApplyNodeDeregistration(record.Index, changes);
                return true;
            default:
                return false;
        }
    }

    private bool AddCheck(CheckDefinition definition, AgentCheckRegistration registration, ulong recordIndex, AppliedChanges? changes)
    {
        var serviceId = registration.ServiceId ?? "";
        var id = definition.CheckId;
        if ((serviceId.Length > 0 && !_services.ContainsKey(serviceId)) || (_serviceIdByCheck.ContainsKey(id) && !_addedChecks.ContainsKey(id)))
        {
            return false;
        }

        _addedChecks.TryGetValue(id, out var existing);
        if (existing is not null && existing.Definition != definition)
        {
            RemoveAddedChecks([id], changes, sessionsEndAt: null); // replaced: its sessions stay
        }

        if (existing is null || existing.Definition != definition)
        {
            _checkStates[id] = new CheckState(definition.InitialStatus, "", definition.InitialStatus == HealthStatuses.Critical ? _time.GetUtcNow() : null);
            changes?.Events.Add(new CheckEvent.Added(definition, serviceId));
        }
        _serviceIdByCheck[id] = serviceId;
        _addedChecks[id] = new AddedCheck(definition, serviceId, registration, existing?.CreateIndex ?? recordIndex, recordIndex);
        if (existing is not null && existing.ServiceId != serviceId)
        {
            TouchChecks(existing.ServiceId, recordIndex, changes);
        }

        TouchChecks(serviceId, recordIndex, changes);
        return true;
    }

    // A check appeared or went: the health index moves, with that of the service (or, for a node check, of every service).
    private void TouchChecks(string serviceId, ulong recordIndex, AppliedChanges? changes)
    {
        var names = MoveCheckIndex(serviceId, Advance(recordIndex, changes, ChangeSignals.Health));
        foreach (var name in names)
        {
            changes?.Topics.Add(ChangeSignals.Service(name));
        }
    }

    /// <summary>Consul deletes the node, then the agent's anti-entropy registers again what it holds. Here the catalog is the
    /// agent: API registrations go, services.yaml's stay (the agent's configuration, as Consul's config-file services are
    /// restored), and so does the node itself.</summary>
    private void ApplyNodeDeregistration(ulong recordIndex, AppliedChanges? changes)
    {
        RemoveAddedChecks([.. _addedChecks.Keys], changes, recordIndex);
        var doomed = _services.Values.Where(s => s.Registration.Meta?.GetValueOrDefault(ServiceDefinition.SourceMetaKey) != ServiceDefinition.SourceMetaValue).ToList();
        foreach (var service in doomed)
        {
            Remove(service, recordIndex, changes);
        }

        TouchChecks("", recordIndex, changes);
    }

    private IEnumerable<string> AddedCheckIdsOf(string serviceId) =>
        [.. _addedChecks.Values.Where(c => c.ServiceId == serviceId).Select(c => c.Definition.CheckId)];

    private void RemoveAddedChecks(IEnumerable<string> ids, AppliedChanges? changes, ulong? sessionsEndAt)
    {
        foreach (var id in ids)
        {
            if (_addedChecks.Remove(id))
            {
                ForgetCheck(id, changes, sessionsEndAt);
            }
        }
    }

    /// <param name="sessionsEndAt">When the check is gone for good (not replaced): its sessions end at this index.</param>
    private void ForgetCheck(string checkId, AppliedChanges? changes, ulong? sessionsEndAt)
    {
        _checkStates.Remove(checkId);
        _serviceIdByCheck.Remove(checkId);
        CancelOutputSync(checkId);
        changes?.Events.Add(new CheckEvent.Removed(checkId));
        if (sessionsEndAt is { } index)
        {
            DestroySessionsOf(checkId, index, changes);
        }
    }

    // After the services (a bound check needs its service), each as the record that made it.
    private IEnumerable<LogRecord> CapturedChecks() => _addedChecks.Values.OrderBy(c => c.ModifyIndex).Select(c =>
        c.Definition.Maintenance ? LogRecord.Maintenance(c.Registration, c.ModifyIndex) : LogRecord.CheckRegister(c.Registration, c.ModifyIndex));
}
