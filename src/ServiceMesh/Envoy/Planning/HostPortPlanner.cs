using ServiceMesh.Envoy.Inputs;

namespace ServiceMesh.Envoy.Planning;

/// <summary>
/// Keeps the last <see cref="HostPortPlan"/> and plans again only when something it depends on changed (names, sources,
/// named ports, service ports): most generations are health or certificate changes, and a full host plans in ~10 ms.
/// </summary>
internal sealed class HostPortPlanner(HostPortRanges ranges, IReadOnlyList<ReservedPort> reserved)
{
    private string _key = "";
    private HostPortPlan _plan = HostPortPlan.Empty;

    public HostPortPlan For(IReadOnlyList<(MeshMember Member, string Source)> members, IReadOnlyList<IEnvoyInputs> inputs)
    {
        var precedence = inputs.ToDictionary(i => i.Name, i => i.Precedence, StringComparer.Ordinal);
        var ranked = members.Select(m => new RankedMember(m.Member, m.Source, precedence.GetValueOrDefault(m.Source))).ToList();
        var key = Key(ranked);
        if (key != _key)
        {
            _plan = HostPortPlan.Assign(ranked, ranges, reserved);
            _key = key;
        }

        return _plan;
    }

    private static string Key(List<RankedMember> members) => string.Join('\n', members.Select(m =>
        $"{m.Member.Name} {m.Source} {m.Precedence} {m.Member.Declared} {m.Member.ServicePort} {m.Member.PublicPort} {m.Member.Requested} "
        + string.Join(',', m.Member.Upstreams.Select(u => $"{u.Name}:{u.LocalBindPort}"))));
}
