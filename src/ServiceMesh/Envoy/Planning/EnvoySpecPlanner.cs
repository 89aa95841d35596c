using System.Collections.Concurrent;
using ServiceMesh.Certificates;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Policies;

namespace ServiceMesh.Envoy.Planning;

/// <summary>
/// Combines the mesh members (<see cref="MeshMembership"/>), policies.yaml and the settings into one spec per sidecar:
/// who may call it, each upstream's passing endpoints and SPIFFE ID, and the TLS files with their versions.
/// </summary>
/// <param name="portRangeStart">ENVOY_ADMIN_PORT: where <see cref="HostPortRanges"/> start (used when no plan is passed).</param>
/// <param name="revocationList">The certificate manager's revocation list in force (none when certificates are not hosted here).</param>
/// <param name="statsBindAddress">ENVOY_STATS_BIND_ADDRESS: where the Prometheus and ready listeners bind.</param>
internal sealed class EnvoySpecPlanner(int portRangeStart, string trustDomainPrefix, Func<string, string> spiffeIdOf, Func<string, EnvoyTlsPaths> tlsPathsOf,
    Func<RevocationListStatus>? revocationList = null, string statsBindAddress = "127.0.0.1")
{
    private readonly FileVersions _versions = new();
    private readonly CertificatePairs _pairs = new();

    /// <param name="rereadFiles">Hash every TLS file again rather than trust unchanged times and sizes.</param>
    /// <param name="ports">The host's port plan for these members; members it excluded get no spec. Null: a plan of these members alone.</param>
    public IReadOnlyList<EnvoyServiceSpec> Plan(IReadOnlyList<MeshMember> members, MeshPolicies policies, bool rereadFiles = false, HostPortPlan? ports = null)
    {
        ports ??= HostPortPlan.Assign(members.Select(m => new RankedMember(m, "", 0)), new HostPortRanges(portRangeStart), []);
        members = [.. members.Where(m => ports.PortsOf(m.Name) is not null)];
        if (rereadFiles)
        {
            _versions.Forget();
            _pairs.Forget();
        }
        var byName = members.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var names = byName.Keys.ToHashSet(StringComparer.Ordinal);
        var bundleVersions = new ConcurrentDictionary<string, string>(StringComparer.Ordinal); // one bundle for all: hash it once
        var revocations = revocationList?.Invoke() ?? RevocationListStatus.NotPublished; // one list for the whole generation
        // Each spec reads only shared, unchanging inputs; the per-sidecar link and file checks dominate, so split them
        // over the cores (a change-to-disk budget of 100 ms at 1,000 sidecars).
        var specs = new EnvoyServiceSpec[members.Count];
        Parallel.For(0, members.Count, i =>
        {
            var member = members[i];
            var paths = tlsPathsOf(member.Name);
            var bundleVersion = bundleVersions.GetOrAdd(paths.TrustBundle, _versions.Of);
            var pair = _pairs.Of(paths);
            var own = ports.PortsOf(member.Name)!;
            specs[i] = new EnvoyServiceSpec(
                member.Name,
                member.ServicePort,
                member.Protocol,
                own.Public,
                own.Admin,
                new EnvoyStatsListeners(statsBindAddress, own.Prometheus, own.Ready),
                spiffeIdOf(member.Name),
                Callers(member.Name, policies),
                [.. member.Upstreams.Select(u => Upstream(u, byName, policies, ports))],
                new EnvoyTlsFiles(paths, pair?.Version ?? FileVersions.None, bundleVersion, revocations.Pem, revocations.Version, pair),
                policies.For(member.Name))
            {
                AccessLog = policies.AccessLog,
                Warnings = UpstreamWarnings.Of(member.Name, member.Upstreams, names, policies),
            };
        });
        return specs;
    }

    private EnvoyCallers Callers(string service, MeshPolicies policies) => policies.CallersOf(service) switch
    {
        { } named => new EnvoyCallers([.. named.Order(StringComparer.Ordinal).Select(spiffeIdOf)], null),
        null when policies.Default == DefaultAccess.Allow => new EnvoyCallers([], trustDomainPrefix),
        _ => EnvoyCallers.Nobody,
    };

    // An upstream that is not (yet) a mesh member gets a cluster without endpoints: its listener exists, and
    // connections fail fast until the upstream appears, when the next generation fills the cluster in.
    private EnvoyUpstreamSpec Upstream(MeshUpstreamRef upstream, Dictionary<string, MeshMember> members, MeshPolicies policies, HostPortPlan ports)
    {
        members.TryGetValue(upstream.Name, out var target);
        var endpoints = target is null ? [] : target.PassingAddresses.Order(StringComparer.Ordinal).Select(a => new EnvoyEndpoint(a, ports.PortsOf(target.Name)!.Public)).ToList();
        return new EnvoyUpstreamSpec(upstream.Name, upstream.LocalBindPort, target?.Protocol ?? MeshProtocol.Tcp,
            spiffeIdOf(upstream.Name), endpoints, policies.For(upstream.Name));
    }
}
