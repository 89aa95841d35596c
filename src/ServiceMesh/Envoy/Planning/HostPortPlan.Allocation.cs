using ServiceMesh.Envoy.Inputs;
using System.Text;

namespace ServiceMesh.Envoy.Planning;

// Allocation: one slot per sidecar that needs any allocated port. Every member first tries its home slot (a hash of
// its name, so it does not depend on who else is there); only members whose home is taken probe on, in name order.
internal sealed partial class HostPortPlan
{
    private void Allocate(List<RankedMember> members, HostPortRanges ranges)
    {
        var owned = new HashSet<int>();
        var probing = new List<(MeshMember Member, string Source, SidecarPortKind[] Needs)>();
        foreach (var (member, source, _) in members.OrderBy(m => m.Member.Name, StringComparer.Ordinal))
        {
            var needs = Needs(member);
            if (needs.Length == 0)
            {
                Assigned(member, ranges, slot: -1);
            }
            else if (SlotFree(HomeSlot(member.Name), needs, ranges, owned))
            {
                Take(member, needs, HomeSlot(member.Name), ranges, owned);
            }
            else
            {
                probing.Add((member, source, needs));
            }
        }

        foreach (var (member, source, needs) in probing)
        {
            var home = HomeSlot(member.Name);
            var slot = Enumerable.Range(1, HostPortRanges.Slots - 1).Select(i => (home + i) % HostPortRanges.Slots)
                .Cast<int?>().FirstOrDefault(s => SlotFree(s!.Value, needs, ranges, owned));
            if (slot is { } free)
            {
                Take(member, needs, free, ranges, owned);
            }
            else
            {
                _excluded.Add(new ExcludedMember(member.Name, source,
                    $"port collision: no free slot left in {ranges.Start}-{ranges.Start + HostPortRanges.Span - 1} ({HostPortRanges.Slots} sidecars per host); name its ports"));
            }
        }
    }

    /// <summary>FNV-1a of the name's UTF-8 bytes: the same on every host, process and .NET version (string.GetHashCode is not).</summary>
    public static int HomeSlot(string service)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(service))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return (int)(hash % HostPortRanges.Slots);
    }

    private static SidecarPortKind[] Needs(MeshMember member)
    {
        var requested = member.Requested ?? SidecarPortRequest.None;
        return
        [
            .. requested.Admin is null ? [SidecarPortKind.Admin] : Array.Empty<SidecarPortKind>(),
            .. requested.Prometheus is null ? [SidecarPortKind.Prometheus] : Array.Empty<SidecarPortKind>(),
            .. member.PublicPort is null ? [SidecarPortKind.Public] : Array.Empty<SidecarPortKind>(),
            .. requested.Ready is null ? [SidecarPortKind.Ready] : Array.Empty<SidecarPortKind>(),
        ];
    }

    private bool SlotFree(int slot, SidecarPortKind[] needs, HostPortRanges ranges, HashSet<int> owned) =>
        !owned.Contains(slot) && needs.All(kind => ranges.PortOf(kind, slot) is var port && port <= 65535
            && !_listeners.ContainsKey(port) && !_servicePorts.ContainsKey(port));

    private void Take(MeshMember member, SidecarPortKind[] needs, int slot, HostPortRanges ranges, HashSet<int> owned)
    {
        owned.Add(slot);
        foreach (var kind in needs)
        {
            _listeners[ranges.PortOf(kind, slot)] = new PortHolder(member.Name, HostPortRanges.Describe(kind));
        }

        Assigned(member, ranges, slot);
    }

    private void Assigned(MeshMember member, HostPortRanges ranges, int slot)
    {
        var requested = member.Requested ?? SidecarPortRequest.None;
        _ports[member.Name] = new SidecarPorts(
            member.PublicPort ?? ranges.PortOf(SidecarPortKind.Public, slot),
            requested.Admin ?? ranges.PortOf(SidecarPortKind.Admin, slot),
            requested.Prometheus ?? ranges.PortOf(SidecarPortKind.Prometheus, slot),
            requested.Ready ?? ranges.PortOf(SidecarPortKind.Ready, slot));
    }
}
