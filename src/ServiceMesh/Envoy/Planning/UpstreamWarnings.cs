using ServiceMesh.Envoy.Policies;

namespace ServiceMesh.Envoy.Planning;

/// <summary>
/// Why an upstream of a sidecar can never work. Such upstreams are still generated, as Consul does (the destination
/// enforces, and a later policy or registration makes them work), but the API and the log say so.
/// </summary>
internal static class UpstreamWarnings
{
    public static IReadOnlyList<string> Of(string caller, IReadOnlyList<MeshUpstreamRef> upstreams, IReadOnlySet<string> members, MeshPolicies policies)
    {
        List<string>? warnings = null;
        foreach (var upstream in upstreams)
        {
            if (!members.Contains(upstream.Name))
            {
                (warnings ??= []).Add($"upstream '{upstream.Name}' is not registered");
            }
            else if (!policies.Allows(caller, upstream.Name))
            {
                (warnings ??= []).Add($"upstream '{upstream.Name}' denies '{caller}' in {PolicyFile.FileName}");
            }
        }
        return warnings ?? (IReadOnlyList<string>)[];
    }
}
