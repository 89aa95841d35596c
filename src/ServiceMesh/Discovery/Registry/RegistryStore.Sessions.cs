using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>
/// Sessions (Consul's session endpoint and state store): created and destroyed through the log; TTL timers and lock delays
/// live in memory, as on a Consul leader, so after a restart every TTL starts again in full.
/// </summary>
internal sealed partial class RegistryStore
{
    /// <summary>The check every Consul node has, which a session names unless told otherwise.</summary>
    public const string SerfHealthCheckId = "serfHealth";
    /// <summary>Consul's bounds for a session TTL (session_ttl_min, structs.SessionTTLMax); it ends after twice the TTL.</summary>
    public static readonly TimeSpan SessionTtlMin = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan SessionTtlMax = TimeSpan.FromHours(24);

    private readonly Dictionary<string, SessionRecord> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ITimer> _sessionTimers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lockDelays = new(StringComparer.Ordinal);
    private ulong _sessionIndex;

    /// <summary>Creates a session; the error Consul would answer with (500) when its node or checks do not allow it.</summary>
    public async Task<(string? Id, string? Error)> CreateSessionAsync(SessionRecord request, CancellationToken cancellationToken = default)
    {
        var session = request with { Id = Guid.NewGuid().ToString() };
        lock (_gate)
        {
            if (SessionProblem(session, critical: true) is { } problem)
            {
                return (null, problem);
            }
        }

        var pending = QueuePending(index => LogRecord.SessionCreate(session, index));
        await pending.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return pending.Output is string error ? (null, error) : (session.Id, null);
    }

    /// <summary>Destroys a session (true also when it was gone already, as Consul answers).</summary>
    public async Task DestroySessionAsync(string id, CancellationToken cancellationToken = default) =>
        await Queue(index => LogRecord.SessionDestroy(id, index)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Starts the session's TTL again; null when there is no such session.</summary>
    public SessionRecord? RenewSession(string id)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(id, out var session))
            {
                return null;
            }

            StartTimer(session);
            return session;
        }
    }

    /// <summary>The index of the session table (what session reads answer with).</summary>
    public ulong SessionIndex
    {
        get
        {
            lock (_gate)
            {
                return Math.Max(_sessionIndex, 1);
            }
        }
    }

    public bool SessionExists(string id)
    {
        lock (_gate)
        {
            return _sessions.ContainsKey(id);
        }
    }

    public (ulong Index, IReadOnlyList<SessionRecord> Sessions) Sessions(Func<SessionRecord, bool> which)
    {
        lock (_gate)
        {
            return (SessionIndex, [.. _sessions.Values.Where(which).OrderBy(s => s.CreateIndex)]);
        }
    }

    /// <summary>Parses a session TTL as Consul does: Go duration text, empty or 0 for none, else within the bounds.</summary>
    public static string? TtlProblem(string ttl)
    {
        if (ttl.Length == 0)
        {
            return null;
        }

        if (!GoDuration.TryParse(ttl, out var value))
        {
            return $"Session TTL '{ttl}' invalid: time: invalid duration \"{ttl}\"";
        }

        return value == TimeSpan.Zero || (value >= SessionTtlMin && value <= SessionTtlMax) ? null
            : $"Invalid Session TTL '{value.Ticks * 100}', must be between [10s=24h0m0s]";
    }

    private bool InLockDelay(string key)
    {
        lock (_gate)
        {
            return _lockDelays.TryGetValue(key, out var until) && until > _time.GetUtcNow();
        }
    }

    // Under the lock. At creation the checks must also not be critical; in the log only what replay can decide counts.
    private string? SessionProblem(SessionRecord session, bool critical)
    {
        if (session.Node != NodeName)
        {
            return "Missing node registration";
        }

        foreach (var check in session.AllChecks.Where(c => c != SerfHealthCheckId))
        {
            if (!_checkStates.TryGetValue(check, out var state))
            {
                return $"Missing check '{check}' registration";
            }

            if (critical && state.Status == HealthStatuses.Critical)
            {
                return $"Check '{check}' is in {state.Status} state";
            }
        }

        return null;
    }

    private string? ApplySessionCreate(SessionRecord session, ulong index, AppliedChanges? changes)
    {
        if (SessionProblem(session, critical: false) is { } problem)
        {
            return problem;
        }

        session = session with { CreateIndex = session.CreateIndex > 0 ? session.CreateIndex : index, ModifyIndex = index };
        _sessions[session.Id] = session;
        _sessionIndex = Advance(index, changes, ChangeSignals.Sessions);
        StartTimer(session);
        return null;
    }

    // Invalidation: the session's keys are released or deleted at this index, and (live) kept from a new lock for its delay.
    private bool ApplySessionDestroy(string id, ulong index, AppliedChanges? changes)
    {
        if (!_sessions.Remove(id, out var session))
        {
            return false;
        }

        if (_sessionTimers.Remove(id, out var timer))
        {
            timer.Dispose();
        }

        var held = _kv.Values.Where(e => e.Session == id).ToList();
        if (held.Count > 0)
        {
            var ops = held.Select(e => session.Behavior == SessionRecord.Delete
                ? new KvOperation(KvVerbs.Delete, e.Key) : new KvOperation(KvVerbs.Unlock, e.Key, e.Value, e.Flags, Session: id)).ToList();
            ApplyKv(ops, index, changes);
            if (changes is not null && session.LockDelay > TimeSpan.Zero)
            {
                var until = _time.GetUtcNow() + session.LockDelay;
                held.ForEach(e => _lockDelays[e.Key] = until);
            }
        }

        _sessionIndex = Advance(index, changes, ChangeSignals.Sessions);
        return true;
    }

    // Under the lock: a check that went away takes its sessions with it, in the same record (Consul's deleteCheckTxn).
    private void DestroySessionsOf(string checkId, ulong index, AppliedChanges? changes)
    {
        foreach (var id in SessionsNaming(checkId))
        {
            ApplySessionDestroy(id, index, changes);
        }
    }

    // A check turning critical ends its sessions through the log. If that write fails (a full disk), the session stays
    // until its TTL or the next critical report: no lock can change hands on a full disk either.
    private void DestroySessionsOnCritical(string checkId)
    {
        List<string> ids;
        lock (_gate)
        {
            ids = SessionsNaming(checkId);
        }

        foreach (var id in ids)
        {
            EndInBackground(id);
        }
    }

    // Under the lock.
    private List<string> SessionsNaming(string checkId) =>
        [.. _sessions.Values.Where(s => s.AllChecks.Contains(checkId, StringComparer.Ordinal)).Select(s => s.Id)];

    private void StartTimer(SessionRecord session)
    {
        if (!GoDuration.TryParse(session.Ttl, out var ttl) || ttl <= TimeSpan.Zero)
        {
            return;
        }

        if (_sessionTimers.Remove(session.Id, out var previous))
        {
            previous.Dispose();
        }

        var id = session.Id;
        _sessionTimers[id] = _time.CreateTimer(_ => EndInBackground(id), null, ttl * 2, Timeout.InfiniteTimeSpan);
    }

    // From a timer or a check result: nobody waits for the answer, and a failed write is observed, not left unobserved.
    private void EndInBackground(string id) =>
        _ = DestroySessionAsync(id).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var timer in _sessionTimers.Values)
            {
                timer.Dispose();
            }

            _sessionTimers.Clear();
        }
    }
}
