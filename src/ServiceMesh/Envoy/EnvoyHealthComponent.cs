using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Health;

namespace ServiceMesh.Envoy;

/// <summary>
/// "envoy" in /health: unhealthy when files cannot be written, degraded while policies.yaml is invalid, a sidecar
/// has no certificate because issuing one fails (its Envoy cannot do mTLS), or a member gets no sidecar for a port collision.
/// </summary>
internal sealed class EnvoyHealthComponent(EnvoyState state, SidecarCertificates? sidecarCertificates = null) : IKeptHealthComponent
{
    public string Name => "envoy";

    /// <summary>Read from the state the generator and the sidecar certificates keep; nothing is probed.</summary>
    public ComponentHealth Current => Read();

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(Current);

    private ComponentHealth Read()
    {
        var latest = state.Latest;
        var policyProblems = state.PolicyProblems;
        ComponentHealth health;
        if (state.LastFailure is { } failure)
        {
            health = ComponentHealth.Unhealthy($"cannot write Envoy configuration: {string.Join("; ", failure.Failures.Take(3))}");
        }
        else if (policyProblems.Count > 0)
        {
            health = ComponentHealth.Degraded(
                (state.WaitingForPolicies ? "no configuration generated yet: " : "keeping the last good configuration: ") + string.Join("; ", policyProblems.Take(3)));
        }
        else if (sidecarCertificates?.Failing is { Count: > 0 } failing)
        {
            health = ComponentHealth.Degraded($"{failing.Count} sidecar(s) without a certificate, issuing fails: "
                + string.Join("; ", failing.OrderBy(f => f.Key, StringComparer.Ordinal).Take(3).Select(f => $"{f.Key}: {f.Value}")));
        }
        else if (latest?.PortPlan.Excluded is { Count: > 0 } collisions)
        {
            health = ComponentHealth.Degraded($"{collisions.Count} sidecar(s) not generated, their ports collide on this host: "
                + string.Join("; ", collisions.Take(3).Select(c => $"{c.Service} (from {c.Source}): {c.Reason}")));
        }
        else if (latest is null)
        {
            health = ComponentHealth.Healthy("first generation pending");
        }
        else
        {
            health = ComponentHealth.Healthy($"{latest.Files.Count} sidecar configurations current as of {latest.CompletedAt:yyyy-MM-ddTHH:mm:ssZ}");
        }

        return health;
    }
}
