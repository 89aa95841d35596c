using System.Text.Json.Serialization;

namespace ServiceMesh.Discovery.Consul;

/// <summary>PUT /v1/agent/check/register body (Consul's CheckDefinition): a check of its own, bound to a service or to the node.</summary>
internal sealed record AgentCheckRegistration
{
    [JsonPropertyName("ID")] public string? Id { get; init; }
    /// <summary>Accepted as Consul's clients also send it (api.AgentServiceCheck embeds CheckID); ID wins.</summary>
    [JsonPropertyName("CheckID")] public string? CheckId { get; init; }
    public string? Name { get; init; }
    [JsonPropertyName("ServiceID")] public string? ServiceId { get; init; }
    public string? Notes { get; init; }
    [JsonPropertyName("HTTP")] public string? Http { get; init; }
    public string? Method { get; init; }
    public bool? FollowRedirects { get; init; }
    public bool? DisableRedirects { get; init; }
    [JsonPropertyName("TCP")] public string? Tcp { get; init; }
    [JsonPropertyName("TTL")] public string? Ttl { get; init; }
    public string? Interval { get; init; }
    public string? Timeout { get; init; }
    public string? DeregisterCriticalServiceAfter { get; init; }
    public string? Status { get; init; }

    /// <summary>The same definition as a service's check, so one set of rules validates both.</summary>
    public AgentServiceCheck AsServiceCheck() => new()
    {
        CheckId = Id, Name = Name, Http = Http, Method = Method, FollowRedirects = FollowRedirects, DisableRedirects = DisableRedirects,
        Tcp = Tcp, Ttl = Ttl, Interval = Interval, Timeout = Timeout, DeregisterCriticalServiceAfter = DeregisterCriticalServiceAfter,
        Status = Status, Notes = Notes,
    };
}

/// <summary>PUT /v1/agent/check/update/:id body.</summary>
internal sealed record CheckUpdate
{
    public string? Status { get; init; }
    public string? Output { get; init; }
}

/// <summary>A check in a catalog registration (a HealthCheck as the catalog stores it).</summary>
internal sealed record CatalogCheck
{
    public string? Node { get; init; }
    [JsonPropertyName("CheckID")] public string? CheckId { get; init; }
    public string? Name { get; init; }
    public string? Status { get; init; }
    public string? Notes { get; init; }
    [JsonPropertyName("ServiceID")] public string? ServiceId { get; init; }
}

/// <summary>The service of a catalog registration (an AgentService as sent: every field may be missing).</summary>
internal sealed record CatalogService
{
    [JsonPropertyName("ID")] public string? Id { get; init; }
    public string? Service { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
    public int Port { get; init; }
    public string? Address { get; init; }
    public string? Kind { get; init; }
    public bool? EnableTagOverride { get; init; }
    public ServiceWeights? Weights { get; init; }
    public IReadOnlyDictionary<string, ServiceAddress>? TaggedAddresses { get; init; }
    public System.Text.Json.JsonElement? Proxy { get; init; }
    public System.Text.Json.JsonElement? Connect { get; init; }

    public AgentServiceRegistration ToRegistration() => new()
    {
        Id = Id, Name = Service ?? "", Tags = Tags, Address = Address, Port = Port, Meta = Meta, Kind = Kind, EnableTagOverride = EnableTagOverride,
        Weights = Weights, TaggedAddresses = TaggedAddresses, Proxy = Proxy, Connect = Connect,
    };
}

/// <summary>PUT /v1/catalog/register body.</summary>
internal sealed record CatalogRegistration
{
    public string? Node { get; init; }
    public string? Address { get; init; }
    public string? Datacenter { get; init; }
    public CatalogService? Service { get; init; }
    public CatalogCheck? Check { get; init; }
    public IReadOnlyList<CatalogCheck>? Checks { get; init; }
}

/// <summary>PUT /v1/catalog/deregister body: a service, a check, or (neither given) the whole node.</summary>
internal sealed record CatalogDeregistration
{
    public string? Node { get; init; }
    public string? Datacenter { get; init; }
    [JsonPropertyName("ServiceID")] public string? ServiceId { get; init; }
    [JsonPropertyName("CheckID")] public string? CheckId { get; init; }
}
