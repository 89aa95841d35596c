using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ServiceMesh.Configuration;

namespace ServiceMesh.Certificates;

/// <summary>
/// Builds X.509-SVIDs: one URI SAN spiffe://trust-domain/ns/default/dc/dc/svc/name, DNS SANs name and name.lucid.local,
/// CN=name, CA:false, digitalSignature (+keyEncipherment for RSA) critical, EKU serverAuth+clientAuth, SKI, AKI.
/// Pure: no files, no clock of its own (the caller passes "now").
/// </summary>
internal sealed class SvidIssuer(CertificateSettings settings)
{
    public const string LocalDomain = "lucid.local";

    private static readonly X509EnhancedKeyUsageExtension ServerAndClient = new(
        new OidCollection { new Oid("1.3.6.1.5.5.7.3.1", "serverAuth"), new Oid("1.3.6.1.5.5.7.3.2", "clientAuth") }, critical: false);
    private static readonly X509BasicConstraintsExtension EndEntity = X509BasicConstraintsExtension.CreateForEndEntity(critical: true);
    private static readonly X509KeyUsageExtension EcdsaUsage = new(X509KeyUsageFlags.DigitalSignature, critical: true);
    private static readonly X509KeyUsageExtension RsaUsage = new(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true);

    public IssuedSvid Issue(CertificateAuthority authority, string service, DateTimeOffset now, X509Certificate2? intermediate = null) =>
        Issue(authority, service, now, intermediate, ServerNames.None);

    /// <summary>An SVID that also names <paramref name="server"/>'s DNS names and addresses (SPIFFE allows SANs besides the one URI).</summary>
    public IssuedSvid Issue(CertificateAuthority authority, string service, DateTimeOffset now, X509Certificate2? intermediate, ServerNames server)
    {
        var (publicKeyInfo, keyIdSource, keyPem, algorithm) = NewKey();
        var spiffeId = settings.SpiffeIdFor(service);
        X509Extension[] extensions =
        [
            EndEntity,
            settings.KeyAlgorithm == KeyAlgorithm.Rsa ? RsaUsage : EcdsaUsage,
            ServerAndClient,
            SubjectAlternativeNames.Build(spiffeId, [service, $"{service}.{LocalDomain}", .. server.DnsNames], [.. server.Addresses]),
            // RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 over the subjectPublicKey bits.
            new X509SubjectKeyIdentifierExtension(SHA256.HashData(keyIdSource).AsSpan(0, 20), critical: false),
            authority.AuthorityKeyIdentifier,
        ];

        var serial = KeyAlgorithms.RandomSerial();
        var notBefore = DerEncoding.ToCertificateTime(now - CertificateSettings.Backdate);
        var rootNotAfter = new DateTimeOffset(authority.Root.NotAfter.ToUniversalTime());
        var notAfter = DerEncoding.ToCertificateTime(now + settings.LeafLifetime < rootNotAfter ? now + settings.LeafLifetime : rootNotAfter);
        var der = authority.SignLeaf(new X500DistinguishedName($"CN={service}"), publicKeyInfo, notBefore, notAfter, serial, extensions);

        var chain = new StringBuilder(PemEncoding.WriteString("CERTIFICATE", der)).Append('\n');
        if (intermediate is not null)
        {
            chain.Append(CertificateAuthority.Pem(intermediate));
        }

        var info = new SvidInfo(service, Convert.ToHexString(serial), spiffeId, notBefore, notAfter, authority.KeyId, algorithm);
        return new IssuedSvid(info, Encoding.ASCII.GetBytes(chain.ToString()), keyPem);
    }

    // A new key, encoded once: the certificate's public key, its key identifier source, the PKCS#8 file and the algorithm name.
    private (byte[] PublicKeyInfo, byte[] KeyIdSource, byte[] KeyPem, string Algorithm) NewKey()
    {
        if (settings.KeyAlgorithm == KeyAlgorithm.Rsa)
        {
            using var rsa = RSA.Create(settings.RsaKeySize);
            return (rsa.ExportSubjectPublicKeyInfo(), rsa.ExportRSAPublicKey(), KeyAlgorithms.ExportPrivateKeyPem(rsa), KeyAlgorithms.Name(rsa));
        }
        var (scalar, point) = P256KeyGenerator.Generate();
        var pkcs8 = DerEncoding.EcPkcs8(scalar, point);
        try
        {
            return (DerEncoding.EcSubjectPublicKeyInfo(point), point, KeyAlgorithms.PrivateKeyPem(pkcs8), KeyAlgorithms.EcdsaP256Name);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}

/// <summary>Extra names for a server certificate: what clients put in the URL (localhost, 127.0.0.1, server.dc.consul).</summary>
internal sealed record ServerNames(IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses)
{
    public static ServerNames None { get; } = new([], []);
}
