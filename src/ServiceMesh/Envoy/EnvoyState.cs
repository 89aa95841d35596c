using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Output;
using ServiceMesh.Envoy.Planning;

namespace ServiceMesh.Envoy;

/// <summary>One generation: what was planned and rendered, what writing it did, and who was turned away from the mesh.</summary>
internal sealed record EnvoyGeneration(
    long Number,
    DateTimeOffset CompletedAt,
    IReadOnlyList<EnvoyServiceSpec> Specs,
    IReadOnlyList<EnvoyFileSet> Files,
    IReadOnlyDictionary<string, string> SourceOf,
    EnvoyWriteResult Result,
    IReadOnlyList<ExcludedMember> Excluded,
    HostPortPlan? Ports = null)
{
    /// <summary>The host's port plan this generation used (an empty one for a generation built without).</summary>
    public HostPortPlan PortPlan => Ports ?? HostPortPlan.Empty;
}

/// <summary>The writer's latest outcome, read by the API and the health component (published as one reference).</summary>
internal sealed class EnvoyState
{
    private EnvoyGeneration? _latest;
    private EnvoyWriteResult? _lastFailure;
    private IReadOnlyList<string> _policyProblems = [];
    private bool _waitingForPolicies;

    public EnvoyGeneration? Latest => Volatile.Read(ref _latest);

    /// <summary>The latest write pass, when it failed (null once a later pass succeeds).</summary>
    public EnvoyWriteResult? LastFailure => Volatile.Read(ref _lastFailure);

    public IReadOnlyList<string> PolicyProblems => Volatile.Read(ref _policyProblems);

    /// <summary>policies.yaml has never been valid since start, so nothing was generated.</summary>
    public bool WaitingForPolicies => Volatile.Read(ref _waitingForPolicies);

    public void Completed(EnvoyGeneration generation)
    {
        Volatile.Write(ref _latest, generation);
        Volatile.Write(ref _lastFailure, generation.Result.Succeeded ? null : generation.Result);
    }

    public void Policies(IReadOnlyList<string> problems, bool waiting)
    {
        Volatile.Write(ref _policyProblems, problems);
        Volatile.Write(ref _waitingForPolicies, waiting);
    }
}
