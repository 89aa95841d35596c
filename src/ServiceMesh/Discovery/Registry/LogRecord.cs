using System.Text.Json.Serialization;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>One persisted mutation. Replaying records in order rebuilds the state; replaying one twice is harmless.</summary>
/// <param name="Cas">KV only: applied only when the key's ModifyIndex is this (0: only when the key does not exist).</param>
/// <param name="Recurse">KV delete only: every key under <see cref="Key"/> as a prefix.</param>
/// <param name="Ops">kv: the operations, applied all or none (a transaction, or one single-key write).</param>
/// <param name="Entry">kv-restore: an entry exactly as it was (compaction), lock holder included.</param>
/// <param name="Check">check-register and maintenance: the normalised check registration.</param>
internal sealed record LogRecord(string Op, ulong Index, AgentServiceRegistration? Service = null, string? Id = null, string? Key = null, byte[]? Value = null,
    ulong Flags = 0, ulong? Cas = null, bool? Recurse = null, IReadOnlyList<KvOperation>? Ops = null, KvRecord? Entry = null,
    SessionRecord? Session = null, AgentCheckRegistration? Check = null)
{
    public const string RegisterOp = "register";
    public const string DeregisterOp = "deregister";
    /// <summary>Written before sessions existed (set/cas and delete/delete-cas/delete-tree): still replayed.</summary>
    public const string KvPutOp = "kv-put";
    public const string KvDeleteOp = "kv-delete";
    public const string KvOp = "kv";
    public const string KvRestoreOp = "kv-restore";
    public const string SessionCreateOp = "session-create";
    public const string SessionDestroyOp = "session-destroy";
    /// <summary>Carries the index into a snapshot, so the index never goes backwards across a compaction.</summary>
    public const string IndexOp = "index";

    public static LogRecord Register(AgentServiceRegistration service, ulong index) => new(RegisterOp, index, Service: service);
    public static LogRecord Deregister(string id, ulong index) => new(DeregisterOp, index, Id: id);
    public static LogRecord Kv(IReadOnlyList<KvOperation> ops, ulong index) => new(KvOp, index, Ops: ops);
    public static LogRecord KvRestore(KvRecord entry) => new(KvRestoreOp, entry.ModifyIndex, Entry: entry);
    public static LogRecord SessionCreate(SessionRecord session, ulong index) => new(SessionCreateOp, index, Session: session);
    public static LogRecord SessionDestroy(string id, ulong index) => new(SessionDestroyOp, index, Id: id);

    /// <summary>A record written before sessions existed, as the operation it was.</summary>
    public KvOperation LegacyKvOperation() => Op == KvPutOp
        ? new KvOperation(Cas is null ? KvVerbs.Set : KvVerbs.Cas, Key!, Value ?? [], Flags, Cas ?? 0)
        : new KvOperation(Recurse == true ? KvVerbs.DeleteTree : Cas is null ? KvVerbs.Delete : KvVerbs.DeleteCas, Key!, Index: Cas ?? 0);
    public static LogRecord IndexMark(ulong index) => new(IndexOp, index);

    public const string CheckRegisterOp = "check-register";
    public const string CheckDeregisterOp = "check-deregister";
    /// <summary>Service or node maintenance on: Consul's critical maintenance check (off is a check-deregister).</summary>
    public const string MaintenanceOp = "maintenance";
    /// <summary>catalog/deregister of the agent's own node: every service and check registered through the API.</summary>
    public const string NodeDeregisterOp = "node-deregister";

    public static LogRecord CheckRegister(AgentCheckRegistration check, ulong index) => new(CheckRegisterOp, index, Check: check);
    public static LogRecord CheckDeregister(string id, ulong index) => new(CheckDeregisterOp, index, Id: id);
    public static LogRecord Maintenance(AgentCheckRegistration check, ulong index) => new(MaintenanceOp, index, Check: check);
    public static LogRecord NodeDeregister(ulong index) => new(NodeDeregisterOp, index);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LogRecord))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;

/// <summary>
/// A record on its way through the log: what the store prepared for applying it (a registration's normalised checks),
/// the result the store's apply step gives it, and the caller's task, completed only after the record's frame is
/// fsynced and the store applied it.
/// </summary>
internal sealed class PendingRecord(LogRecord record, object? prepared = null)
{
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LogRecord Record { get; } = record;
    public object? Prepared { get; } = prepared;

    /// <summary>Set when applied: false when the record changed nothing it was meant to (a deregistration of an ID gone by then).</summary>
    public bool Result { get; set; }

    /// <summary>Set when applied, for records whose callers need more than <see cref="Result"/> (a transaction's outcome).</summary>
    public object? Output { get; set; }

    public Task<bool> Completion => _done.Task;

    public void Complete() => _done.TrySetResult(Result);

    public void Fail(Exception error) => _done.TrySetException(error);
}
