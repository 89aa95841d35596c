using System.Text.Json.Serialization;

namespace ServiceMesh.Discovery.Consul;

// Consul's HTTP API shapes, with Consul's own PascalCase names (https://developer.hashicorp.com/consul/api-docs).
// One set of records serves both sides: our client and the embedded server write and read exactly these.

/// <summary>PUT /v1/agent/service/register body.</summary>
internal sealed record AgentServiceRegistration
{
    [JsonPropertyName("ID")] public string? Id { get; init; }
    public string Name { get; init; } = "";
    public IReadOnlyList<string>? Tags { get; init; }
    public string? Address { get; init; }
    public int Port { get; init; }
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
    public AgentServiceCheck? Check { get; init; }
    public IReadOnlyList<AgentServiceCheck>? Checks { get; init; }
    /// <summary>"" (a typical service), "connect-proxy" or a gateway kind; kept and returned as registered.</summary>
    public string? Kind { get; init; }
    public bool? EnableTagOverride { get; init; }
    public ServiceWeights? Weights { get; init; }
    public IReadOnlyDictionary<string, ServiceAddress>? TaggedAddresses { get; init; }
    /// <summary>Connect proxy and sidecar settings: kept verbatim (the embedded agent does not act on them yet).</summary>
    public System.Text.Json.JsonElement? Proxy { get; init; }
    public System.Text.Json.JsonElement? Connect { get; init; }
}

/// <summary>DNS SRV weights by health (Consul's default: 1 and 1).</summary>
internal sealed record ServiceWeights
{
    public int Passing { get; init; } = 1;
    public int Warning { get; init; } = 1;
}

/// <summary>One of a service's tagged addresses (lan, wan, lan_ipv4…).</summary>
internal sealed record ServiceAddress
{
    public string Address { get; init; } = "";
    public int Port { get; init; }
}

/// <summary>A check definition inside a registration. Durations are Go duration strings ("10s", "1m30s").</summary>
internal record AgentServiceCheck
{
    [JsonPropertyName("CheckID")] public string? CheckId { get; init; }
    public string? Name { get; init; }
    [JsonPropertyName("HTTP")] public string? Http { get; init; }
    public string? Method { get; init; }
    /// <summary>Ours: follow redirects (the embedded registry does not unless asked). Consul's own default is the reverse.</summary>
    public bool? FollowRedirects { get; init; }
    /// <summary>Consul's flag, accepted for compatibility: true is already the embedded registry's default.</summary>
    public bool? DisableRedirects { get; init; }
    [JsonPropertyName("TCP")] public string? Tcp { get; init; }
    [JsonPropertyName("TTL")] public string? Ttl { get; init; }
    public string? Interval { get; init; }
    public string? Timeout { get; init; }
    public string? DeregisterCriticalServiceAfter { get; init; }
    public string? Status { get; init; }
    public string? Notes { get; init; }
}

/// <summary>A value of GET /v1/agent/services (keyed by service ID) and the "Service" of a health entry.</summary>
internal sealed record AgentService
{
    [JsonPropertyName("ID")] public string Id { get; init; } = "";
    public string Service { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();
    public int Port { get; init; }
    public string Address { get; init; } = "";
    public string? Datacenter { get; init; }
    public string? Kind { get; init; }
    public bool EnableTagOverride { get; init; }
    public ServiceWeights Weights { get; init; } = new();
    public IReadOnlyDictionary<string, ServiceAddress>? TaggedAddresses { get; init; }
    public System.Text.Json.JsonElement? Proxy { get; init; }
    public System.Text.Json.JsonElement? Connect { get; init; }
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
}

/// <summary>An element of GET /v1/catalog/service/:name.</summary>
internal sealed record CatalogServiceNode
{
    [JsonPropertyName("ID")] public string? Id { get; init; }
    public string Node { get; init; } = "";
    public string Address { get; init; } = "";
    public string Datacenter { get; init; } = "";
    public IReadOnlyDictionary<string, string>? TaggedAddresses { get; init; }
    public IReadOnlyDictionary<string, string>? NodeMeta { get; init; }
    [JsonPropertyName("ServiceID")] public string ServiceId { get; init; } = "";
    public string ServiceName { get; init; } = "";
    public string ServiceAddress { get; init; } = "";
    public int ServicePort { get; init; }
    public IReadOnlyList<string> ServiceTags { get; init; } = [];
    public IReadOnlyDictionary<string, string> ServiceMeta { get; init; } = new Dictionary<string, string>();
    public string? ServiceKind { get; init; }
    public bool ServiceEnableTagOverride { get; init; }
    public ServiceWeights ServiceWeights { get; init; } = new();
    public IReadOnlyDictionary<string, ServiceAddress>? ServiceTaggedAddresses { get; init; }
    public System.Text.Json.JsonElement? ServiceProxy { get; init; }
    public System.Text.Json.JsonElement? ServiceConnect { get; init; }
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
}

internal sealed record ConsulNode
{
    [JsonPropertyName("ID")] public string? Id { get; init; }
    public string Node { get; init; } = "";
    public string Address { get; init; } = "";
    public string Datacenter { get; init; } = "";
    public IReadOnlyDictionary<string, string>? TaggedAddresses { get; init; }
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
}

/// <summary>A check's state, as in health entries and /v1/agent/checks.</summary>
internal sealed record HealthCheck
{
    public string Node { get; init; } = "";
    [JsonPropertyName("CheckID")] public string CheckId { get; init; } = "";
    public string Name { get; init; } = "";
    public string Status { get; init; } = HealthStatuses.Critical;
    public string Notes { get; init; } = "";
    public string Output { get; init; } = "";
    [JsonPropertyName("ServiceID")] public string ServiceId { get; init; } = "";
    public string ServiceName { get; init; } = "";
    public IReadOnlyList<string> ServiceTags { get; init; } = [];
    public string Type { get; init; } = "";
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
}

/// <summary>An element of GET /v1/health/service/:name.</summary>
internal sealed record ServiceEntry
{
    public ConsulNode Node { get; init; } = new();
    public AgentService Service { get; init; } = new();
    public IReadOnlyList<HealthCheck> Checks { get; init; } = [];
}

/// <summary>An element of GET /v1/kv/:key. Value is base64 (null for a key without a value).</summary>
internal sealed record KvPair
{
    public string Key { get; init; } = "";
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
    public ulong LockIndex { get; init; }
    public ulong Flags { get; init; }
    public string? Value { get; init; }
    /// <summary>The session holding the key's lock; absent when unlocked (Consul's omitempty).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Session { get; init; }

    public static KvPair From(Registry.KvResult result) => new()
    {
        Key = result.Entry.Key, CreateIndex = result.Entry.CreateIndex, ModifyIndex = result.Entry.ModifyIndex,
        LockIndex = result.Entry.LockIndex, Flags = result.Entry.Flags, Session = result.Entry.Session,
        Value = result.ValueShown && result.Entry.Value.Length > 0 ? Convert.ToBase64String(result.Entry.Value) : null,
    };
}

/// <summary>Consul's check status strings.</summary>
internal static class HealthStatuses
{
    public const string Passing = "passing";
    public const string Warning = "warning";
    public const string Critical = "critical";

    public static bool IsKnown(string? status) => status is Passing or Warning or Critical;
}

/// <summary>
/// Source-generated JSON in Consul's exact names (no naming policy: the property names above are Consul's).
/// Reading is case-insensitive because Consul's own decoder is.
/// </summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentServiceRegistration))]
[JsonSerializable(typeof(Dictionary<string, AgentService>))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
[JsonSerializable(typeof(List<CatalogServiceNode>))]
[JsonSerializable(typeof(List<ServiceEntry>))]
[JsonSerializable(typeof(List<HealthCheck>))]
[JsonSerializable(typeof(List<KvPair>))]
[JsonSerializable(typeof(Dictionary<string, HealthCheck>))]
[JsonSerializable(typeof(AgentService))]
[JsonSerializable(typeof(AgentSelf))]
[JsonSerializable(typeof(List<AgentMember>))]
[JsonSerializable(typeof(List<CatalogNode>))]
[JsonSerializable(typeof(CatalogNodeServices))]
[JsonSerializable(typeof(UserEvent))]
[JsonSerializable(typeof(List<UserEvent>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(CatalogServiceNode))]
[JsonSerializable(typeof(ServiceEntry))]
[JsonSerializable(typeof(HealthCheck))]
[JsonSerializable(typeof(CatalogNode))]
[JsonSerializable(typeof(AgentMember))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(AgentCheckRegistration))]
[JsonSerializable(typeof(CheckUpdate))]
[JsonSerializable(typeof(CatalogRegistration))]
[JsonSerializable(typeof(CatalogDeregistration))]
internal sealed partial class ConsulJsonContext : JsonSerializerContext;
