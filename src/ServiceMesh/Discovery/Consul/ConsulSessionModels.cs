using System.Text.Json.Serialization;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Consul;

/// <summary>A session as Consul's session endpoints return it (LockDelay in nanoseconds, Go's unit).</summary>
internal sealed record SessionEntry
{
    [JsonPropertyName("ID")] public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Node { get; init; } = "";
    public long LockDelay { get; init; }
    public string Behavior { get; init; } = "";
    [JsonPropertyName("TTL")] public string Ttl { get; init; } = "";
    public IReadOnlyList<string> Checks { get; init; } = [];
    public IReadOnlyList<string>? NodeChecks { get; init; }
    public IReadOnlyList<ServiceCheckId>? ServiceChecks { get; init; }
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }

    public static SessionEntry From(SessionRecord session) => new()
    {
        Id = session.Id, Name = session.Name, Node = session.Node, LockDelay = session.LockDelayNanoseconds, Behavior = session.Behavior,
        Ttl = session.Ttl, Checks = [.. session.AllChecks], NodeChecks = session.Checks.Count > 0 ? session.Checks : null,
        ServiceChecks = session.ServiceChecks.Count > 0 ? [.. session.ServiceChecks.Select(id => new ServiceCheckId(id))] : null,
        CreateIndex = session.CreateIndex, ModifyIndex = session.ModifyIndex,
    };
}

internal sealed record ServiceCheckId([property: JsonPropertyName("ID")] string Id);

internal sealed record SessionCreated([property: JsonPropertyName("ID")] string Id);

/// <summary>One operation of PUT /v1/txn; only KV is served by the embedded agent.</summary>
internal sealed record TxnOp
{
    [JsonPropertyName("KV")]
    public TxnKvOp? Kv { get; init; }
    public System.Text.Json.JsonElement? Node { get; init; }
    public System.Text.Json.JsonElement? Service { get; init; }
    public System.Text.Json.JsonElement? Check { get; init; }
    public System.Text.Json.JsonElement? Session { get; init; }
}

internal sealed record TxnKvOp
{
    public string Verb { get; init; } = "";
    public string Key { get; init; } = "";
    public byte[]? Value { get; init; }
    public ulong Flags { get; init; }
    public ulong Index { get; init; }
    public string? Session { get; init; }
}

internal sealed record TxnResult([property: JsonPropertyName("KV")] KvPair Kv);

internal sealed record TxnError(int OpIndex, string What);

internal sealed record TxnResponse(IReadOnlyList<TxnResult>? Results, IReadOnlyList<TxnError>? Errors);

/// <summary>Consul writes null members of these bodies ("Errors": null), unlike the other shapes.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(List<SessionEntry>))]
[JsonSerializable(typeof(SessionCreated))]
[JsonSerializable(typeof(List<TxnOp>))]
[JsonSerializable(typeof(TxnResponse))]
internal sealed partial class ConsulSessionJsonContext : JsonSerializerContext;
