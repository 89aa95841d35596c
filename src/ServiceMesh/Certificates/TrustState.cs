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
}
