namespace ServiceMesh.Envoy.Planning;

/// <summary>The mesh as the Envoy writer needs it: which services have sidecars, what they call, where they run.</summary>
internal sealed record MeshTopology(IReadOnlyList<MeshMember> Members)
{
    public static MeshTopology Empty { get; } = new([]);
}

/// <param name="PublicPort">The public (mTLS) listener's port; null: allocated by the <see cref="HostPortPlan"/>.</param>
/// <param name="PassingAddresses">Addresses of the service's instances whose checks pass; other sidecars connect to these at its public port.</param>
/// <param name="Requested">Admin, Prometheus and ready ports the member names; the rest are allocated.</param>
/// <param name="Declared">From services.yaml: checked at start, and first in the port plan.</param>
internal sealed record MeshMember(
    string Name,
    MeshProtocol Protocol,
    int ServicePort,
    int? PublicPort,
    IReadOnlyList<MeshUpstreamRef> Upstreams,
    IReadOnlyList<string> PassingAddresses,
    SidecarPortRequest? Requested = null,
    bool Declared = false);

internal sealed record MeshUpstreamRef(string Name, int LocalBindPort);

/// <summary>
/// A source of mesh members for the Envoy writer (the discovery catalog, the /envoy/configs API). Kept this narrow so
/// the adapter over Discovery and Certificates stays a small class of its own.
/// </summary>
internal interface IEnvoyInputs
{
    /// <summary>Shown by the API as where a service's configuration comes from, e.g. "discovery" or "api".</summary>
    string Name { get; }

    /// <summary>When two sources describe the same service, the higher precedence wins (the API over the catalog).</summary>
    int Precedence { get; }

    /// <summary>The members as of now; cheap to call, and safe from any thread.</summary>
    MeshTopology Current { get; }

    /// <summary>Raised after <see cref="Current"/> changed, on the publisher's thread: handlers only take note and return.</summary>
    event Action<string>? Changed;

    /// <summary>
    /// Completes once <see cref="Current"/> holds what the input knows at start (restored state, a first full read).
    /// The first generation waits for every input's, so a start never removes or rewrites the files of members it has
    /// not heard of yet. Complete from the start for an input that loads in its constructor.
    /// </summary>
    Task Ready => Task.CompletedTask;
}
