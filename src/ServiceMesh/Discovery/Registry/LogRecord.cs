using System.Text.Json.Serialization;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>One persisted mutation. Replaying records in order rebuilds the state; replaying one twice is harmless.</summary>
internal sealed record LogRecord(string Op, ulong Index, AgentServiceRegistration? Service = null, string? Id = null, string? Key = null, byte[]? Value = null, ulong Flags = 0)
{
    public const string RegisterOp = "register";
    public const string DeregisterOp = "deregister";
    public const string KvPutOp = "kv-put";
    public const string KvDeleteOp = "kv-delete";
    /// <summary>Carries the index into a snapshot, so the index never goes backwards across a compaction.</summary>
    public const string IndexOp = "index";

    public static LogRecord Register(AgentServiceRegistration service, ulong index) => new(RegisterOp, index, Service: service);
    public static LogRecord Deregister(string id, ulong index) => new(DeregisterOp, index, Id: id);
    public static LogRecord KvPut(string key, byte[] value, ulong flags, ulong index) => new(KvPutOp, index, Key: key, Value: value, Flags: flags);
    public static LogRecord KvDelete(string key, ulong index) => new(KvDeleteOp, index, Key: key);
    public static LogRecord IndexMark(ulong index) => new(IndexOp, index);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LogRecord))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
