using System.Collections.Immutable;

namespace ServiceMesh.Envoy;

/// <summary>
/// Services given a sidecar configuration through POST /envoy/configs/{svc}. Held in memory: after a restart the
/// API client registers again (as with the earlier container); services from discovery need no registration.
/// </summary>
internal sealed class EnvoyApiRegistrations : IEnvoyInputs
{
    private ImmutableDictionary<string, MeshMember> _members = ImmutableDictionary.Create<string, MeshMember>(StringComparer.Ordinal);

    public string Name => "api";

    public int Precedence => 100;

    public MeshTopology Current => new([.. Volatile.Read(ref _members).Values.OrderBy(m => m.Name, StringComparer.Ordinal)]);

    public event Action<string>? Changed;

    public bool Contains(string service) => Volatile.Read(ref _members).ContainsKey(service);

    /// <summary>Adds or replaces a registration; true when it was new.</summary>
    public bool Set(MeshMember member)
    {
        var isNew = true;
        ImmutableInterlocked.AddOrUpdate(ref _members, member.Name, member, (_, _) =>
        {
            isNew = false;
            return member;
        });
        Changed?.Invoke($"API registered {member.Name}");
        return isNew;
    }

    public bool Remove(string service)
    {
        if (!ImmutableInterlocked.TryRemove(ref _members, service, out _))
            return false;
        Changed?.Invoke($"API removed {service}");
        return true;
    }
}
