using ServiceMesh.Configuration;
using ServiceMesh.Envoy.Planning;

namespace ServiceMesh.Envoy.Inputs;

/// <summary>A service an input put forward as a mesh member that may not be one, and why (shown by GET /envoy/configs).</summary>
internal sealed record ExcludedMember(string Service, string Source, string Reason);

/// <summary>Who the mesh members are, from every input, and who was turned away.</summary>
internal sealed record MeshMembers(IReadOnlyList<(MeshMember Member, string Source)> Members, IReadOnlyList<ExcludedMember> Excluded)
{}

/// <summary>
/// The one place where membership is decided, so no entry point can bypass the identity rule: whatever put a service
/// forward (services.yaml, the Consul API's <c>mesh</c> tag, POST /envoy/configs, a future input), it becomes a mesh
/// identity (an SVID, a SPIFFE ID, files named after it) only when its name is a <see cref="ServiceName.IsIdentity"/>: a
/// DNS label, not reserved, not one of the control plane's own identities. Consul's looser names (<c>node_exporter</c>, <c>a.b</c>, upper case) stay fine for discovery; such a
/// service is simply not a member.
/// </summary>
internal static class MeshMembership
{
    /// <summary>Members of every source by name, each with the source it came from; on a name clash the higher precedence wins.</summary>
    public static MeshMembers Decide(IEnumerable<(string Source, int Precedence, MeshTopology Topology)> sources)
    {
        var candidates = new Dictionary<string, (MeshMember, string)>(StringComparer.Ordinal);
        foreach (var (source, _, topology) in sources.OrderBy(s => s.Precedence))
            foreach (var member in topology.Members)
                candidates[member.Name] = (member, source);

        var members = new List<(MeshMember, string)>(candidates.Count);
        var excluded = new List<ExcludedMember>();
        foreach (var (name, (member, source)) in candidates.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (ServiceName.IsIdentity(name, out var problem))
                members.Add((member, source));
            else
                excluded.Add(new ExcludedMember(name, source, $"not a mesh member: {problem}"));
        }
        return new MeshMembers(members, excluded);
    }
}
