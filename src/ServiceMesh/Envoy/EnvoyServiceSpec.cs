namespace ServiceMesh.Envoy;

internal enum MeshProtocol { Http, Tcp }

/// <summary>Everything the generator needs for one sidecar; built by <see cref="EnvoySpecPlanner"/>, never read from disk.</summary>
internal sealed record EnvoyServiceSpec(
    string Name,
    int ServicePort,
    MeshProtocol Protocol,
    int PublicPort,
    int AdminPort,
    string SpiffeId,
    EnvoyCallers Callers,
    IReadOnlyList<EnvoyUpstreamSpec> Upstreams,
    EnvoyTlsFiles Tls,
    UpstreamPolicy LocalAppPolicy);

/// <summary>One upstream this service calls through 127.0.0.1:<see cref="LocalBindPort"/>.</summary>
internal sealed record EnvoyUpstreamSpec(
    string Name,
    int LocalBindPort,
    MeshProtocol Protocol,
    string SpiffeId,
    IReadOnlyList<EnvoyEndpoint> Endpoints,
    UpstreamPolicy Policy);

/// <summary>Where an upstream instance's sidecar accepts mTLS: its address and the upstream's public port.</summary>
internal sealed record EnvoyEndpoint(string Address, int Port);

/// <summary>Who may open connections to the public listener: exact SPIFFE IDs, and/or every ID under a prefix.</summary>
internal sealed record EnvoyCallers(IReadOnlyList<string> SpiffeIds, string? Prefix)
{
    public static EnvoyCallers Nobody { get; } = new([], null);
}

/// <summary>Where a service's certificate, key and the trust bundle are, and the folders in which each is replaced by a rename.</summary>
internal sealed record EnvoyTlsPaths(string CertificateChain, string PrivateKey, string CertificateWatchedDirectory, string TrustBundle, string TrustBundleWatchedDirectory);

/// <summary>
/// The TLS files plus a version of their contents. The version goes into the SDS files, so a rotation rewrites
/// them, and Envoy, watching their folder, reloads the secret even if it missed the certificate folder's own event.
/// </summary>
internal sealed record EnvoyTlsFiles(EnvoyTlsPaths Paths, string CertificateVersion, string TrustBundleVersion);
