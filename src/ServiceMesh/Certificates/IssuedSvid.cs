using System.Security.Cryptography;

namespace ServiceMesh.Certificates;

/// <summary>What is known about a service's current certificate: everything the API shows, never the key.</summary>
internal sealed record SvidInfo(
    string Service,
    string Serial,
    string SpiffeId,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string IssuerKeyId,
    string KeyAlgorithm)
{
    public TimeSpan Lifetime => NotAfter - NotBefore;
}

/// <summary>A freshly issued SVID with its encoded files. Holds the key PEM only until it is written; dispose zeroes it.</summary>
internal sealed class IssuedSvid(SvidInfo info, byte[] chainPem, byte[] keyPem) : IDisposable
{
    public SvidInfo Info { get; } = info;

    /// <summary>The leaf, then intermediates (the cross-signed root during a root rotation); never the root itself.</summary>
    public byte[] ChainPem { get; } = chainPem;

    public ReadOnlySpan<byte> KeyPem => keyPem;

    public void Dispose() => CryptographicOperations.ZeroMemory(keyPem);
}
