using System.Text.Json.Serialization;

namespace ServiceMesh.Discovery.Consul;

/// <summary>PUT /v1/agent/check/register body (Consul's CheckDefinition): a service check's fields, plus its own ID and
/// the service it is bound to (none: a node check). CheckID is accepted too, as Consul's clients send it; ID wins.</summary>
internal sealed record AgentCheckRegistration : AgentServiceCheck
{
    [JsonPropertyName("ID")] public string? Id { get; init; }
    [JsonPropertyName("ServiceID")] public string? ServiceId { get; init; }

    /// <summary>The same definition as a service's check, so one set of rules validates both.</summary>
    public AgentServiceCheck AsServiceCheck() => this with { CheckId = Id };
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
