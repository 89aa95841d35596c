using ServiceMesh.Configuration;
using ServiceMesh.Envoy.Planning;

namespace ServiceMesh.Envoy.Inputs;

/// <summary>A service an input put forward as a mesh member that may not be one, and why (shown by GET /envoy/configs).</summary>
internal sealed record ExcludedMember(string Service, string Source, string Reason);

/// <summary>Who the mesh members are, from every input, and who was turned away.</summary>
internal sealed record MeshMembers(IReadOnlyList<(MeshMember Member, string Source)> Members, IReadOnlyList<ExcludedMember> Excluded)
{}

/// <summary>
/// The one membership gate, so no entry point bypasses the identity rule: only a <see cref="ServiceName.IsIdentity"/>
/// name becomes a mesh identity. Consul's looser names (<c>node_exporter</c>, <c>a.b</c>) stay fine for discovery.
/// </summary>
internal static class MeshMembership
{
    /// <summary>Members of every source by name, each with the source it came from; on a name clash the higher precedence wins.</summary>
    public static MeshMembers Decide(IEnumerable<(string Source, int Precedence, MeshTopology Topology)> sources)
    {
        var candidates = new Dictionary<string, (MeshMember, string)>(StringComparer.Ordinal);
        foreach (var (source, _, topology) in sources.OrderBy(s => s.Precedence))
        {
            foreach (var member in topology.Members)
            {
                candidates[member.Name] = (member, source);
            }
        }

        var members = new List<(MeshMember, string)>(candidates.Count);
        var excluded = new List<ExcludedMember>();
        foreach (var (name, (member, source)) in candidates.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (ServiceName.IsIdentity(name, out var problem))
            {
                members.Add((member, source));
            }
            else
            {
                excluded.Add(new ExcludedMember(name, source, $"not a mesh member: {problem}"));
            }
        }
        return new MeshMembers(members, excluded);
    }
}
