using System.Collections.Immutable;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>What the check runner needs to hear about: checks added or removed, and TTL check updates.</summary>
internal abstract record CheckEvent(string CheckId)
{
    public sealed record Added(CheckDefinition Definition, string ServiceId) : CheckEvent(Definition.CheckId);
    public sealed record Removed(string Id) : CheckEvent(Id);
    public sealed record TtlUpdated(string Id) : CheckEvent(Id);
}

/// <summary>Embedded registry state (services, checks, KV; index only grows). Like Consul's FSM after a Raft commit, a
/// mutation is applied (<see cref="Apply"/>) only after its fsync, so readers never see non-durable state and a full disk
/// leaves only an index gap. Check results are not logged: checks re-run after a restart.</summary>
internal sealed partial class RegistryStore : IDisposable
{
    private readonly Lock _gate = new();
    private readonly RegistryLog _log;
    private readonly TimeProvider _time;
    private readonly ChangeSignals _signals = new();
    private readonly Dictionary<string, ServiceRecord> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<string>> _idsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CheckState> _checkStates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _serviceIdByCheck = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _serviceIndex = new(StringComparer.Ordinal);
    private ulong _index; // the highest index readers can see: that of applied (durable) state or of a check update
    private ulong _assigned; // the last index given out: queued records and check updates (a refused record leaves a gap)
    private ulong _catalogIndex;
    private ulong _healthIndex; // any check of the node: registrations, deregistrations and check results

    public RegistryStore(RegistryLog log, TimeProvider time)
    {
        _log = log;
        _time = time;
        foreach (var record in log.Recovered)
        {
            Apply(record, prepared: null, changes: null, out _);
        }
        // Reads report at least index 1 (Consul never reports 0), so the first change must be 2 to be seen as one.
        _index = Math.Max(_index, 1);
        _assigned = _index;
        log.CaptureState = CaptureState;
        log.ApplyCommitted = ApplyCommitted;
    }

    /// <summary>Raised (outside the lock) when checks appear, disappear or get a TTL update; the check runner listens.</summary>
    public event Action<CheckEvent>? CheckChanged;

    public string NodeName { get; init; } = "service-mesh";
    public string NodeAddress { get; init; } = "127.0.0.1";
    public string Datacenter { get; init; } = "dc1";
    /// <summary>Where HTTP and TCP checks may connect: a registration naming a literal IP outside is refused.</summary>
    public AllowedNetworks CheckNetworks { get; init; } = AllowedNetworks.Default;

    public ulong Index { get { lock (_gate) { return _index; } } }

    /// <summary>The registry's clock, shared with what the agent keeps beside it (the event ring).</summary>
    public TimeProvider Time => _time;

    /// <summary>
    /// Registers or replaces a service instance (by ID). Returns the error Consul would answer 400 with; throws
    /// <see cref="Storage.StorageUnavailableException"/> when it could not be made durable (and then nobody saw it).
    /// </summary>
    public async Task<string?> RegisterAsync(AgentServiceRegistration request, CancellationToken cancellationToken = default)
    {
        var (registration, checks, error) = RegistrationRules.Normalize(request, CheckNetworks);
        if (error is not null)
        {
            return error;
        }

        await Queue(index => LogRecord.Register(registration!, index), checks).WaitAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>False when no service had that ID by the time the deregistration was applied.</summary>
    public Task<bool> DeregisterAsync(string serviceId, CancellationToken cancellationToken = default) =>
        Queue(index => LogRecord.Deregister(serviceId, index)).WaitAsync(cancellationToken);

    // The index is given under the lock that also queues the record, so the log holds records in index order.
    private Task<bool> Queue(Func<ulong, LogRecord> record, ImmutableArray<CheckDefinition>? checks = null) => QueuePending(record, checks).Completion;

    private PendingRecord QueuePending(Func<ulong, LogRecord> record, ImmutableArray<CheckDefinition>? checks = null)
    {
        lock (_gate)
        {
            var pending = new PendingRecord(record(++_assigned), checks);
            _ = _log.Append(pending);
            return pending;
        }
    }

    // Called by the log's writer loop once a batch is fsynced, before any caller of it is answered.
    private void ApplyCommitted(IReadOnlyList<PendingRecord> batch)
    {
        var changes = new AppliedChanges();
        lock (_gate)
        {
            foreach (var pending in batch)
            {
                pending.Result = Apply(pending.Record, pending.Prepared as ImmutableArray<CheckDefinition>?, changes, out var output);
                pending.Output = output;
            }
        }
        foreach (var e in changes.Events)
        {
            CheckChanged?.Invoke(e);
        }

        foreach (var topic in changes.Topics)
        {
            _signals.Signal(topic);
        }
    }

    /// <summary>What applying a batch changed: check events for the runner, topics whose blocking queries wake.</summary>
    private sealed class AppliedChanges
    {
        public List<CheckEvent> Events { get; } = [];
        public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Applies one durable record under the lock, live (<paramref name="changes"/> collects events) or at replay
    /// (null); every state-dependent decision is made here, in log order, so replay reaches the live state.</summary>
    /// <param name="prepared">A registration's checks, normalised when it was accepted; null at replay (normalised again).</param>
    private bool Apply(LogRecord record, ImmutableArray<CheckDefinition>? prepared, AppliedChanges? changes, out object? output)
    {
        output = null;
        switch (record.Op)
        {
            case LogRecord.RegisterOp when prepared is { } checks:
                ApplyRegistration(record.Service!, checks, record.Index, changes);
                return true;
            case LogRecord.RegisterOp when RegistrationRules.Normalize(record.Service, checkNetworks: null) is { Registration: { } registration, Checks: var checks }:
                ApplyRegistration(registration, checks, record.Index, changes);
                return true;
            case LogRecord.DeregisterOp when _services.TryGetValue(record.Id ?? "", out var existing):
                Remove(existing, record.Index, changes);
                return true;
            case LogRecord.KvPutOp or LogRecord.KvDeleteOp or LogRecord.KvOp:
                var outcome = ApplyKv(record.Ops ?? [record.LegacyKvOperation()], record.Index, changes);
                output = outcome;
                return outcome.Succeeded;
            case LogRecord.KvRestoreOp when record.Entry is { } entry:
                _kv[entry.Key] = entry;
                _kvIndex = Advance(entry.ModifyIndex, changes, ChangeSignals.Kv);
                return true;
            case LogRecord.SessionCreateOp when record.Session is { } session:
                output = ApplySessionCreate(session, record.Index, changes);
                return output is null;
            case LogRecord.SessionDestroyOp:
                return ApplySessionDestroy(record.Id ?? "", record.Index, changes);
            case LogRecord.CheckRegisterOp or LogRecord.CheckDeregisterOp or LogRecord.MaintenanceOp or LogRecord.NodeDeregisterOp:
                return ApplyCheckOp(record, changes);
            case LogRecord.IndexOp:
                _index = Math.Max(_index, record.Index);
                return true;
            default:
                return false; // nothing to change by now (a deregistration of an ID already gone): harmless in the log
        }
    }

    // The index readers see for a change applied now, with its topic to wake. At replay it is the record's own. Live,
    // a check update may have shown a later index while the record waited for its fsync; readers' indices never go
    // back, so the change then gets a fresh one (the record keeps its logged index as ModifyIndex).
    private ulong Advance(ulong recordIndex, AppliedChanges? changes, string topic)
    {
        if (changes is null)
        {
            _index = Math.Max(_index, recordIndex);
            return recordIndex;
        }
        changes.Topics.Add(topic);
        return _index = recordIndex > _index ? recordIndex : ++_assigned;
    }

    private void ApplyRegistration(AgentServiceRegistration registration, ImmutableArray<CheckDefinition> checks, ulong recordIndex, AppliedChanges? changes)
    {
        _services.TryGetValue(registration.Id!, out var existing);
        var index = Advance(recordIndex, changes, ChangeSignals.Catalog);
        changes?.Topics.Add(ChangeSignals.Service(registration.Name));
        if (existing is not null)
        {
            foreach (var old in existing.Checks.Where(o => !checks.Any(c => c.CheckId == o.CheckId && c == o)))
            {
                ForgetCheck(old.CheckId, changes, checks.Any(c => c.CheckId == old.CheckId) ? null : recordIndex);
            }
            if (existing.Name != registration.Name)
            {
                RemoveName(existing.Name, existing.Id);
                _serviceIndex[existing.Name] = index;
                changes?.Topics.Add(ChangeSignals.Service(existing.Name));
            }
        }
        RemoveAddedChecks(checks.Select(c => c.CheckId), changes, sessionsEndAt: null); // a service's own check replaces one registered alone (as in Consul)
        foreach (var check in checks)
        {
            if (_checkStates.ContainsKey(check.CheckId))
            {
                continue; // unchanged definition: keep its state, so re-registering (e.g. the preload) does not flap health
            }

            _checkStates[check.CheckId] = new CheckState(check.InitialStatus, "", check.InitialStatus == HealthStatuses.Critical ? _time.GetUtcNow() : (DateTimeOffset?)null);
            _serviceIdByCheck[check.CheckId] = registration.Id!;
            changes?.Events.Add(new CheckEvent.Added(check, registration.Id!));
        }
        _services[registration.Id!] = new ServiceRecord(registration, checks, existing?.CreateIndex ?? recordIndex, recordIndex);
        if (!_idsByName.TryGetValue(registration.Name, out var ids))
        {
            _idsByName[registration.Name] = ids = new SortedSet<string>(StringComparer.Ordinal);
        }

        ids.Add(registration.Id!);
        _serviceIndex[registration.Name] = index;
        _catalogIndex = _healthIndex = index;
        changes?.Topics.Add(ChangeSignals.Health);
    }

    private void Remove(ServiceRecord existing, ulong recordIndex, AppliedChanges? changes)
    {
        var index = Advance(recordIndex, changes, ChangeSignals.Catalog);
        changes?.Topics.Add(ChangeSignals.Service(existing.Name));
        _services.Remove(existing.Id);
        RemoveName(existing.Name, existing.Id);
        foreach (var check in existing.Checks)
        {
            ForgetCheck(check.CheckId, changes, recordIndex);
        }
        RemoveAddedChecks(AddedCheckIdsOf(existing.Id), changes, recordIndex); // Consul's RemoveService removes every check of the service
        _serviceIndex[existing.Name] = index;
        _catalogIndex = _healthIndex = index;
        changes?.Topics.Add(ChangeSignals.Health);
    }

    private void RemoveName(string name, string id)
    {
        if (_idsByName.TryGetValue(name, out var ids) && ids.Remove(id) && ids.Count == 0)
        {
            _idsByName.Remove(name);
        }
    }

    // For log compaction, called by the log's writer between batches: then the state here is exactly what is durable.
    private List<LogRecord> CaptureState()
    {
        lock (_gate)
        {
            return [LogRecord.IndexMark(_index), .. _services.Values.OrderBy(s => s.ModifyIndex).Select(s => LogRecord.Register(s.Registration, s.ModifyIndex)),
                    .. CapturedChecks(), .. _sessions.Values.Select(session => LogRecord.SessionCreate(session, session.ModifyIndex)),
                    .. _kv.Values.Select(LogRecord.KvRestore)];
        }
    }
}
