using System.Security.Cryptography.X509Certificates;

namespace ServiceMesh.Certificates;

/// <summary>
/// The signing root and what peers must trust. Outside a root rotation the bundle is just the active root; during one it
/// also holds the previous root(s), and new leaves carry <see cref="CrossSigned"/> so peers with only the old root accept them.
/// </summary>
internal sealed record TrustState(
    CertificateAuthority Active,
    IReadOnlyList<X509Certificate2> RetiringRoots,
    X509Certificate2? CrossSigned,
    DateTimeOffset? RetireAfter)
{
    public bool RotationInProgress => RetiringRoots.Count > 0;

    public IReadOnlyList<X509Certificate2> Bundle => [Active.Root, .. RetiringRoots];

    public X509Certificate2? LeafIntermediate => RotationInProgress ? CrossSigned : null;

    /// <summary>
    /// CRLs (DER) the retiring roots signed when they were replaced: their keys are gone, so these are final. Empty
    /// for a rotation begun before CRLs were published, and then revocations cannot be enforced until it ends.
    /// </summary>
    public IReadOnlyList<byte[]> RetiringRevocationLists { get; init; } = [];

    public bool EveryRootHasRevocationList => RetiringRevocationLists.Count >= RetiringRoots.Count;
}
