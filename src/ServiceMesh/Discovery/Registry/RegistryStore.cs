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

/// <summary>
/// The embedded registry's state: services, their checks, and KV, with a Raft-like index that only grows.
/// Every mutation is applied under one lock and queued to the log in the same order; the caller is answered (and
/// blocking queries are woken) only after the log is on disk, so an acknowledged write survives kill -9.
/// Check results are not logged: they are re-established by running the checks after a restart.
/// </summary>
internal sealed partial class RegistryStore
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
    private readonly SortedDictionary<string, KvRecord> _kv = new(StringComparer.Ordinal);
    private ulong _index;
    private ulong _catalogIndex;
    private ulong _kvIndex;

    public RegistryStore(RegistryLog log, TimeProvider time)
    {
        _log = log;
        _time = time;
        foreach (var record in log.Recovered)
            Replay(record);
        // Reads report at least index 1 (Consul never reports 0), so the first change must be 2 to be seen as one.
        _index = Math.Max(_index, 1);
        log.CaptureState = CaptureState;
    }

    /// <summary>Raised (outside the lock) when checks appear, disappear or get a TTL update; the check runner listens.</summary>
    public event Action<CheckEvent>? CheckChanged;

    public string NodeName { get; init; } = "service-mesh";
    public string NodeAddress { get; init; } = "127.0.0.1";
    public string Datacenter { get; init; } = "dc1";
    /// <summary>Where HTTP and TCP checks may connect: a registration naming a literal IP outside is refused.</summary>
    public AllowedNetworks CheckNetworks { get; init; } = AllowedNetworks.Default;

    public ulong Index { get { lock (_gate) return _index; } }

    /// <summary>Registers or replaces a service instance (by ID). Returns the error Consul would answer 400 with.</summary>
    public async Task<string?> RegisterAsync(AgentServiceRegistration request, CancellationToken cancellationToken = default)
    {
        var (registration, checks, error) = RegistrationRules.Normalize(request, CheckNetworks);
        if (error is not null)
            return error;
        Task durable;
        List<CheckEvent> events = [];
        string? previousName;
        lock (_gate)
        {
            var index = ++_index;
            previousName = Apply(registration!, checks, index, events);
            durable = _log.Append(LogRecord.Register(registration!, index));
        }
        RaiseCheckEvents(events);
        await durable.WaitAsync(cancellationToken).ConfigureAwait(false);
        _signals.Signal(ChangeSignals.Catalog);
        _signals.Signal(ChangeSignals.Service(registration!.Name));
        if (previousName is not null && previousName != registration.Name)
            _signals.Signal(ChangeSignals.Service(previousName));
        return null;
    }

    /// <summary>False when no service has that ID.</summary>
    public async Task<bool> DeregisterAsync(string serviceId, CancellationToken cancellationToken = default)
    {
        Task durable;
        List<CheckEvent> events = [];
        string name;
        lock (_gate)
        {
            if (!_services.TryGetValue(serviceId, out var existing))
                return false;
            var index = ++_index;
            name = existing.Name;
            Remove(existing, index, events);
            durable = _log.Append(LogRecord.Deregister(serviceId, index));
        }
        RaiseCheckEvents(events);
        await durable.WaitAsync(cancellationToken).ConfigureAwait(false);
        _signals.Signal(ChangeSignals.Catalog);
        _signals.Signal(ChangeSignals.Service(name));
        return true;
    }

    /// <summary>Records a check result; the index moves (and watchers wake) only when status or output changed.</summary>
    public bool SetCheckState(string checkId, string status, string output)
    {
        string name;
        lock (_gate)
        {
            if (!_checkStates.TryGetValue(checkId, out var previous) || !_serviceIdByCheck.TryGetValue(checkId, out var serviceId))
                return false;
            if (previous.Status == status && previous.Output == output)
                return true;
            var criticalSince = status == HealthStatuses.Critical ? previous.CriticalSince ?? _time.GetUtcNow() : (DateTimeOffset?)null;
            _checkStates[checkId] = new CheckState(status, output, criticalSince);
            name = _services[serviceId].Name;
            _serviceIndex[name] = ++_index;
        }
        _signals.Signal(ChangeSignals.Service(name));
        return true;
    }

    /// <summary>agent/check/pass|warn|fail: null when unknown, false when the check is not a TTL check.</summary>
    public bool? UpdateTtl(string checkId, string status, string? note)
    {
        lock (_gate)
        {
            if (!_serviceIdByCheck.TryGetValue(checkId, out var serviceId))
                return null;
            if (_services[serviceId].Checks.First(c => c.CheckId == checkId).Ttl is null)
                return false;
        }
        SetCheckState(checkId, status, note ?? "");
        CheckChanged?.Invoke(new CheckEvent.TtlUpdated(checkId));
        return true;
    }

    public async Task PutKvAsync(string key, byte[] value, ulong flags, CancellationToken cancellationToken = default)
    {
        Task durable;
        lock (_gate)
        {
            var index = _kvIndex = ++_index;
            _kv[key] = new KvRecord(key, value, flags, _kv.TryGetValue(key, out var old) ? old.CreateIndex : index, index);
            durable = _log.Append(LogRecord.KvPut(key, value, flags, index));
        }
        await durable.WaitAsync(cancellationToken).ConfigureAwait(false);
        _signals.Signal(ChangeSignals.Kv);
    }

    public async Task DeleteKvAsync(string key, CancellationToken cancellationToken = default)
    {
        Task durable;
        lock (_gate)
        {
            if (!_kv.Remove(key))
                return;
            var index = _kvIndex = ++_index;
            durable = _log.Append(LogRecord.KvDelete(key, index));
        }
        await durable.WaitAsync(cancellationToken).ConfigureAwait(false);
        _signals.Signal(ChangeSignals.Kv);
    }

    private void RaiseCheckEvents(List<CheckEvent> events)
    {
        foreach (var e in events)
            CheckChanged?.Invoke(e);
    }

    // Applies a registration under the lock; returns the name the ID had before (null when new).
    private string? Apply(AgentServiceRegistration registration, ImmutableArray<CheckDefinition> checks, ulong index, List<CheckEvent>? events)
    {
        _services.TryGetValue(registration.Id!, out var existing);
        if (existing is not null)
        {
            foreach (var old in existing.Checks.Where(o => !checks.Any(c => c.CheckId == o.CheckId && c == o)))
            {
                _checkStates.Remove(old.CheckId);
                _serviceIdByCheck.Remove(old.CheckId);
                events?.Add(new CheckEvent.Removed(old.CheckId));
            }
            if (existing.Name != registration.Name)
            {
                RemoveName(existing.Name, existing.Id);
                _serviceIndex[existing.Name] = index;
            }
        }
        foreach (var check in checks)
        {
            if (_checkStates.ContainsKey(check.CheckId))
                continue; // unchanged definition: keep its state, so re-registering (e.g. the preload) does not flap health
            _checkStates[check.CheckId] = new CheckState(check.InitialStatus, "", check.InitialStatus == HealthStatuses.Critical ? _time.GetUtcNow() : (DateTimeOffset?)null);
            _serviceIdByCheck[check.CheckId] = registration.Id!;
            events?.Add(new CheckEvent.Added(check, registration.Id!));
        }
        _services[registration.Id!] = new ServiceRecord(registration, checks, existing?.CreateIndex ?? index, index);
        if (!_idsByName.TryGetValue(registration.Name, out var ids))
            _idsByName[registration.Name] = ids = new SortedSet<string>(StringComparer.Ordinal);
        ids.Add(registration.Id!);
        _serviceIndex[registration.Name] = index;
        _catalogIndex = index;
        return existing?.Name;
    }

    private void Remove(ServiceRecord existing, ulong index, List<CheckEvent>? events)
    {
        _services.Remove(existing.Id);
        RemoveName(existing.Name, existing.Id);
        foreach (var check in existing.Checks)
        {
            _checkStates.Remove(check.CheckId);
            _serviceIdByCheck.Remove(check.CheckId);
            events?.Add(new CheckEvent.Removed(check.CheckId));
        }
        _serviceIndex[existing.Name] = index;
        _catalogIndex = index;
    }

    private void RemoveName(string name, string id)
    {
        if (_idsByName.TryGetValue(name, out var ids) && ids.Remove(id) && ids.Count == 0)
            _idsByName.Remove(name);
    }

    private void Replay(LogRecord record)
    {
        _index = Math.Max(_index, record.Index);
        switch (record.Op)
        {
            case LogRecord.RegisterOp when RegistrationRules.Normalize(record.Service, checkNetworks: null) is { Registration: { } registration, Checks: var checks }:
                Apply(registration, checks, record.Index, null);
                break;
            case LogRecord.DeregisterOp when _services.TryGetValue(record.Id ?? "", out var existing):
                Remove(existing, record.Index, null);
                break;
            case LogRecord.KvPutOp:
                _kv[record.Key!] = new KvRecord(record.Key!, record.Value ?? [], record.Flags, record.Index, record.Index);
                _kvIndex = record.Index;
                break;
            case LogRecord.KvDeleteOp:
                _kv.Remove(record.Key!);
                _kvIndex = record.Index;
                break;
        }
    }

    // For log compaction: the persisted state as records, taken under the lock so it is consistent.
    private List<LogRecord> CaptureState()
    {
        lock (_gate)
            return [LogRecord.IndexMark(_index), .. _services.Values.OrderBy(s => s.ModifyIndex).Select(s => LogRecord.Register(s.Registration, s.ModifyIndex)),
                    .. _kv.Values.Select(k => LogRecord.KvPut(k.Key, k.Value, k.Flags, k.ModifyIndex))];
    }
}
