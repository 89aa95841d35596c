using System.Text.Json.Serialization;

namespace ServiceMesh.Discovery.Consul;

/// <summary>An element of GET /v1/catalog/nodes and the "Node" of /v1/catalog/node/:node.</summary>
internal sealed record CatalogNode
{
    [JsonPropertyName("ID")] public string Id { get; init; } = "";
    public string Node { get; init; } = "";
    public string Address { get; init; } = "";
    public string Datacenter { get; init; } = "";
    public IReadOnlyDictionary<string, string> TaggedAddresses { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
}

/// <summary>GET /v1/catalog/node/:node: the node and its services keyed by ID.</summary>
internal sealed record CatalogNodeServices
{
    public CatalogNode Node { get; init; } = new();
    public IReadOnlyDictionary<string, AgentService> Services { get; init; } = new Dictionary<string, AgentService>();
}

/// <summary>GET /v1/agent/members: the gossip member this agent is (Status 1 is serf's "alive").</summary>
internal sealed record AgentMember
{
    public string Name { get; init; } = "";
    public string Addr { get; init; } = "";
    public int Port { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public int Status { get; init; }
    public int ProtocolMin { get; init; } = 1;
    public int ProtocolMax { get; init; } = 5;
    public int ProtocolCur { get; init; } = 2;
    public int DelegateMin { get; init; } = 2;
    public int DelegateMax { get; init; } = 5;
    public int DelegateCur { get; init; } = 4;
}

/// <summary>The "Config" of GET /v1/agent/self: what Prometheus' consul_sd, Fabio and python-consul read from it.</summary>
internal sealed record AgentSelfConfig
{
    public string Datacenter { get; init; } = "";
    public string PrimaryDatacenter { get; init; } = "";
    public string NodeName { get; init; } = "";
    [JsonPropertyName("NodeID")] public string NodeId { get; init; } = "";
    public string Revision { get; init; } = "";
    public bool Server { get; init; }
    public string Version { get; init; } = "";
}

/// <summary>GET /v1/agent/self.</summary>
internal sealed record AgentSelf
{
    public AgentSelfConfig Config { get; init; } = new();
    public AgentMember Member { get; init; } = new();
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();
}
