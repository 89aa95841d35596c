using System.Security.Cryptography;
using System.Text;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>The one node the embedded agent is: a server, its own leader, with serf's node check always passing.</summary>
internal static class EmbeddedNode
{
    /// <summary>The Consul release whose HTTP API the embedded agent follows (agent/self's Config.Version).</summary>
    public const string ApiVersion = "1.20.0";
    public const int ServerRpcPort = 8300;
    public const int SerfLanPort = 8301;

    /// <summary>A UUID derived from datacenter and node name: stable across restarts, as Consul's persisted node-id is.</summary>
    public static string Id(RegistryStore store)
    {
        var name = $"{store.Datacenter}/{store.NodeName}";
        if (Volatile.Read(ref _last) is { } last && last.Name == name)
        {
            return last.Id; // every catalog and health entry carries it: hashed once, not per entry
        }

        var id = NewId(name);
        Volatile.Write(ref _last, new NodeIdentity(name, id));
        return id;
    }

    private sealed record NodeIdentity(string Name, string Id);

    private static NodeIdentity? _last;

    private static string NewId(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"service-mesh node {name}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5 layout, variant RFC 4122
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    public static CatalogNode Describe(RegistryStore store) => new()
    {
        Id = Id(store), Node = store.NodeName, Address = store.NodeAddress, Datacenter = store.Datacenter,
        TaggedAddresses = new Dictionary<string, string>
        {
            ["lan"] = store.NodeAddress, ["lan_ipv4"] = store.NodeAddress, ["wan"] = store.NodeAddress, ["wan_ipv4"] = store.NodeAddress,
        },
        Meta = new Dictionary<string, string> { ["consul-network-segment"] = "" },
        CreateIndex = 1, ModifyIndex = 1,
    };

    /// <summary>The node as health entries carry it.</summary>
    public static ConsulNode InEntry(RegistryStore store)
    {
        var node = Describe(store);
        return new() { Id = node.Id, Node = node.Node, Address = node.Address, Datacenter = node.Datacenter, TaggedAddresses = node.TaggedAddresses, Meta = node.Meta };
    }

    public static AgentMember Member(RegistryStore store) => new()
    {
        Name = store.NodeName, Addr = store.NodeAddress, Port = SerfLanPort, Status = 1,
        Tags = new Dictionary<string, string>
        {
            ["role"] = "consul", ["dc"] = store.Datacenter, ["id"] = Id(store), ["port"] = ServerRpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["build"] = ApiVersion, ["vsn"] = "2", ["vsn_min"] = "2", ["vsn_max"] = "3", ["bootstrap"] = "1",
        },
    };

    public static AgentSelf Self(RegistryStore store) => new()
    {
        Config = new AgentSelfConfig
        {
            Datacenter = store.Datacenter, PrimaryDatacenter = store.Datacenter, NodeName = store.NodeName, NodeId = Id(store),
            Revision = BuildInfo.Version, Server = true, Version = ApiVersion,
        },
        Member = Member(store),
        Meta = new Dictionary<string, string> { ["consul-network-segment"] = "", ["service-mesh-version"] = BuildInfo.Version },
    };

    /// <summary>The "consul" service every Consul server has in the catalog (port 8300), as the leader registers it; the
    /// agent's own services (agent/services) do not list it, as in Consul.</summary>
    public static InstanceView Server(RegistryStore store) => new(
        new ServiceRecord(new AgentServiceRegistration { Id = "consul", Name = "consul", Port = ServerRpcPort }, [], 1, 1), [], []);

    /// <summary>The instances of a service as the catalog holds them: the registry's, and for "consul" this server too.</summary>
    public static (ulong Index, IReadOnlyList<InstanceView> Instances) Instances(RegistryStore store, string name)
    {
        var (index, instances) = store.Instances(name);
        return name == Server(store).Service.Name ? (index, [Server(store), .. instances]) : (index, instances);
    }

    /// <summary>serfHealth: the node check every Consul node has; this node is the agent answering, so it is alive.</summary>
    public static HealthCheck SerfHealth(RegistryStore store) => new()
    {
        Node = store.NodeName, CheckId = "serfHealth", Name = "Serf Health Status", Status = HealthStatuses.Passing,
        Output = "Agent alive and reachable", CreateIndex = 1, ModifyIndex = 1,
    };

    /// <param name="service">Null for a node-level check.</param>
    public static HealthCheck Check(RegistryStore store, ServiceRecord? service, CheckView check) => new()
    {
        Node = store.NodeName, CheckId = check.Definition.CheckId, Name = check.Definition.Name, Status = check.State.Status,
        Notes = check.Definition.Notes, Output = check.State.Output, ServiceId = service?.Id ?? "", ServiceName = service?.Name ?? "",
        ServiceTags = service?.Tags ?? [], Type = check.Definition.Type, CreateIndex = check.CreateIndex, ModifyIndex = check.ModifyIndex,
    };

    /// <summary>The instances' service checks (node checks not included: see <see cref="NodeChecks"/>).</summary>
    public static IEnumerable<HealthCheck> Checks(RegistryStore store, IEnumerable<InstanceView> instances) =>
        instances.SelectMany(i => i.Checks.Select(c => Check(store, i.Service, c)));

    public static IEnumerable<HealthCheck> NodeChecks(RegistryStore store, IEnumerable<CheckView> checks) => checks.Select(c => Check(store, null, c));
}
