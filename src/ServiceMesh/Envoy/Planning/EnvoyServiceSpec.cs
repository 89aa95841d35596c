using ServiceMesh.Envoy.Policies;

namespace ServiceMesh.Envoy.Planning;

internal enum MeshProtocol { Http, Tcp, Http2, Grpc }

/// <summary>
/// Everything the generator needs for one sidecar; built by <see cref="EnvoySpecPlanner"/>, never read from disk.
/// Equality includes the lists' contents: two equal specs render the same files, so the generator re-renders only
/// the sidecars whose spec changed (after one membership change, the changed service's callers).
/// </summary>
internal sealed record EnvoyServiceSpec(
    string Name,
    int ServicePort,
    MeshProtocol Protocol,
    int PublicPort,
    int AdminPort,
    EnvoyStatsListeners Stats,
    string SpiffeId,
    EnvoyCallers Callers,
    IReadOnlyList<EnvoyUpstreamSpec> Upstreams,
    EnvoyTlsFiles Tls,
    UpstreamPolicy LocalAppPolicy)
{
    /// <summary>JSON access logs to stdout on every listener (policies.yaml <c>access_log</c>).</summary>
    public bool AccessLog { get; init; } = true;

    /// <summary>Upstreams that can never work (denied by the destination, not registered); not rendered, so not compared.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public bool Equals(EnvoyServiceSpec? other) =>
        other is not null
        && Name == other.Name && ServicePort == other.ServicePort && Protocol == other.Protocol && PublicPort == other.PublicPort
        && AdminPort == other.AdminPort && Stats.Equals(other.Stats) && SpiffeId == other.SpiffeId && Callers.Equals(other.Callers)
        && Upstreams.SequenceEqual(other.Upstreams) && Tls.Equals(other.Tls) && LocalAppPolicy.Equals(other.LocalAppPolicy) && AccessLog == other.AccessLog;

    public override int GetHashCode() => HashCode.Combine(Name, PublicPort, Upstreams.Count, Tls);
}

/// <summary>The Prometheus (<c>/stats/prometheus</c>) and ready (<c>/ready</c>) listeners, on <see cref="BindAddress"/>, proxied to the admin port.</summary>
internal sealed record EnvoyStatsListeners(string BindAddress, int PrometheusPort, int ReadyPort);

/// <summary>One upstream this service calls through 127.0.0.1:<see cref="LocalBindPort"/>.</summary>
internal sealed record EnvoyUpstreamSpec(
    string Name,
    int LocalBindPort,
    MeshProtocol Protocol,
    string SpiffeId,
    IReadOnlyList<EnvoyEndpoint> Endpoints,
    UpstreamPolicy Policy)
{
    public bool Equals(EnvoyUpstreamSpec? other) =>
        other is not null
        && Name == other.Name && LocalBindPort == other.LocalBindPort && Protocol == other.Protocol && SpiffeId == other.SpiffeId
        && Endpoints.SequenceEqual(other.Endpoints) && Policy.Equals(other.Policy);

    public override int GetHashCode() => HashCode.Combine(Name, LocalBindPort, Endpoints.Count);
}

/// <summary>Where an upstream instance's sidecar accepts mTLS: its address and the upstream's public port.</summary>
internal sealed record EnvoyEndpoint(string Address, int Port);

/// <summary>Who may open connections to the public listener: exact SPIFFE IDs, and/or every ID under a prefix.</summary>
internal sealed record EnvoyCallers(IReadOnlyList<string> SpiffeIds, string? Prefix)
{
    public static EnvoyCallers Nobody { get; } = new([], null);

    public bool Equals(EnvoyCallers? other) =>
        other is not null && Prefix == other.Prefix && SpiffeIds.SequenceEqual(other.SpiffeIds, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Prefix, SpiffeIds.Count);
}

/// <summary>Where a service's certificate, key and the trust bundle are, and the folders in which each is replaced by a rename.</summary>
internal sealed record EnvoyTlsPaths(string CertificateChain, string PrivateKey, string CertificateWatchedDirectory, string TrustBundle, string TrustBundleWatchedDirectory);

/// <summary>TLS files plus content versions; a changed version rewrites the SDS files so Envoy reloads even after a
/// missed folder event. CRL (PEM, one per root) and certificate+key go inline, so every Envoy sees a change and no
/// certificate ever pairs with another issuance's key; each is null until there is one.</summary>
internal sealed record EnvoyTlsFiles(EnvoyTlsPaths Paths, string CertificateVersion, string TrustBundleVersion, string? RevocationList = null, string RevocationListVersion = "none",
    CertificatePair? Certificate = null)
{
    /// <summary>The version of sds-ca.yaml: the bundle's, and the revocation list's when there is one.</summary>
    public string ValidationVersion => RevocationList is null ? TrustBundleVersion : $"{TrustBundleVersion}+{RevocationListVersion}";
}

/// <summary>A sidecar's certificate chain and key (PEM) from one generation (<see cref="Generation"/>, the serial), with a short hash of the chain.</summary>
internal sealed record CertificatePair(string Generation, string Version, string ChainPem, string KeyPem)
{
    public override string ToString() => $"CertificatePair {{ Generation = {Generation}, Version = {Version} }}"; // never the key
}
