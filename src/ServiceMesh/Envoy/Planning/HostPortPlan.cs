using ServiceMesh.Envoy.Inputs;

namespace ServiceMesh.Envoy.Planning;

/// <summary>A member as the port plan ranks it: services.yaml first, then the higher input precedence, then the name.</summary>
internal sealed record RankedMember(MeshMember Member, string Source, int Precedence);

/// <summary>Who holds a port: a sidecar's listener or app, or service-mesh itself.</summary>
internal sealed record PortHolder(string? Service, string What)
{
    public string Describe() => Service is null ? What : $"the {What} of '{Service}'";
}

/// <summary>
/// One port plan for every sidecar of this host: public, admin, Prometheus and ready listeners and upstream
/// local_bind_ports never share a port with each other, with service-mesh's own ports, or with an app's service port
/// (the sidecar reaches its app on 127.0.0.1). Explicit ports are claimed in rank order, the earlier holder keeps a
/// port and a later claimant is excluded; then each sidecar that needs allocated ports gets one slot of
/// <see cref="HostPortRanges"/>: its home slot (a hash of its name) when free, else the next free one.
/// </summary>
internal sealed partial class HostPortPlan
{
    private readonly Dictionary<int, PortHolder> _listeners = [];
    private readonly Dictionary<int, List<PortHolder>> _servicePorts = [];
    private readonly Dictionary<string, SidecarPorts> _ports = new(StringComparer.Ordinal);
    private readonly List<ExcludedMember> _excluded = [];

    public static HostPortPlan Empty { get; } = new();

    public IReadOnlyList<ExcludedMember> Excluded => _excluded;

    /// <summary>The sidecar's ports; null for a member the plan excluded (or never saw).</summary>
    public SidecarPorts? PortsOf(string service) => _ports.GetValueOrDefault(service);

    public static HostPortPlan Assign(IEnumerable<RankedMember> members, HostPortRanges ranges, IReadOnlyList<ReservedPort> reserved)
    {
        var plan = new HostPortPlan();
        foreach (var port in reserved)
        {
            plan._listeners.TryAdd(port.Port, new PortHolder(null, port.Holder));
        }

        var accepted = new List<RankedMember>();
        var ranked = members.OrderBy(m => m.Member.Declared ? 0 : 1).ThenByDescending(m => m.Precedence).ThenBy(m => m.Member.Name, StringComparer.Ordinal);
        foreach (var candidate in ranked)
        {
            var (member, source, _) = candidate;
            if (plan.ConflictOf(member) is { } conflict)
            {
                plan._excluded.Add(new ExcludedMember(member.Name, source, $"port collision: {conflict}"));
                continue;
            }

            plan.Claim(member);
            accepted.Add(candidate);
        }
        plan.Allocate(accepted, ranges);
        return plan;
    }

    /// <summary>
    /// Why <paramref name="member"/> cannot have its named ports on this host, e.g. "public_port 21001: port 21001 is
    /// already the public port of 'web'"; null when it can. Ports held by a member of the same name do not count (a replacement).
    /// </summary>
    public string? ConflictOf(MeshMember member)
    {
        var own = new Dictionary<int, string>();
        foreach (var (port, field, what) in ListenerPortsOf(member))
        {
            if (own.TryGetValue(port, out var other))
            {
                return $"{field} {port}: port {port} is also its {other}";
            }

            own[port] = what;
            if (port == member.ServicePort)
            {
                return $"{field} {port}: port {port} is its own service port";
            }

            if (HolderOf(port, member.Name) is { } holder)
            {
                return $"{field} {port}: port {port} is already {holder.Describe()}";
            }
        }
        // An app may share a port with service-mesh (its own entry does): only a sidecar listener takes it away.
        return _listeners.TryGetValue(member.ServicePort, out var listener) && listener.Service is not null && listener.Service != member.Name
            ? $"service_port {member.ServicePort}: port {member.ServicePort} is already {listener.Describe()}"
            : null;
    }

    /// <summary>Who holds <paramref name="port"/> on this host other than <paramref name="except"/>; null when nobody.</summary>
    public PortHolder? HolderOf(int port, string? except = null)
    {
        if (_listeners.TryGetValue(port, out var listener) && (listener.Service is null || listener.Service != except))
        {
            return listener;
        }

        return _servicePorts.TryGetValue(port, out var apps) ? apps.FirstOrDefault(a => a.Service != except) : null;
    }

    private static IEnumerable<(int Port, string Field, string What)> ListenerPortsOf(MeshMember member)
    {
        var requested = member.Requested ?? SidecarPortRequest.None;
        (int? Port, string Field, SidecarPortKind Kind)[] named =
        [
            (member.PublicPort, "public_port", SidecarPortKind.Public),
            (requested.Admin, "admin_port", SidecarPortKind.Admin),
            (requested.Prometheus, "prometheus_port", SidecarPortKind.Prometheus),
            (requested.Ready, "ready_port", SidecarPortKind.Ready),
        ];
        foreach (var (port, field, kind) in named)
        {
            if (port is { } value)
            {
                yield return (value, field, HostPortRanges.Describe(kind));
            }
        }

        foreach (var upstream in member.Upstreams)
        {
            yield return (upstream.LocalBindPort, $"upstream '{upstream.Name}' local_bind_port", $"local_bind_port of upstream '{upstream.Name}'");
        }
    }

    private void Claim(MeshMember member)
    {
        foreach (var (port, _, what) in ListenerPortsOf(member))
        {
            _listeners[port] = new PortHolder(member.Name, what);
        }

        if (!_servicePorts.TryGetValue(member.ServicePort, out var apps))
        {
            _servicePorts[member.ServicePort] = apps = [];
        }

        apps.Add(new PortHolder(member.Name, "service port"));
    }
}
