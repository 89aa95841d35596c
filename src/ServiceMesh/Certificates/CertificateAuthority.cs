using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ServiceMesh.Certificates;

/// <summary>A root certificate with its private key, able to sign. The key never leaves this class except to be written to ca.key.</summary>
internal sealed class CertificateAuthority : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly X509SignatureGenerator _signer;

    private CertificateAuthority(X509Certificate2 root, AsymmetricAlgorithm key)
    {
        Root = root;
        _key = key;
        _signer = KeyAlgorithms.SignatureGenerator(key);
        AuthorityKeyIdentifier = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, includeKeyIdentifier: true, includeIssuerAndSerial: false);
        KeyId = root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier!;
    }

    public X509Certificate2 Root { get; }

    /// <summary>Hex SubjectKeyIdentifier of the root; a leaf's AKI names it.</summary>
    public string KeyId { get; }

    public X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier { get; }

    public string KeyAlgorithmName => KeyAlgorithms.Name(_key);

    /// <summary>A new self-signed root: CA:true and keyCertSign+cRLSign (both critical), SKI, one URI SAN spiffe://trust-domain.</summary>
    public static CertificateAuthority Create(CertificateSettings settings, DateTimeOffset now)
    {
        var key = KeyAlgorithms.CreateKey(settings.KeyAlgorithm, settings.RsaKeySize);
        try
        {
            // A distinct name per root keeps a cross-signed certificate from looking self-issued to chain builders (which
            // then drop it from a TLS chain); the time alone is not enough for two roots made within one second.
            var subject = new X500DistinguishedName(
                $"CN={settings.TrustDomain} mesh root {now:yyyyMMdd'T'HHmmss'Z'} {Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}, O=Lucid service mesh");
            var request = RootRequest(subject, key, settings);
            // Self-signed through the generator (not CreateSelfSigned) so the root gets the same 127-bit random serial as leaves.
            var root = request.Create(subject, KeyAlgorithms.SignatureGenerator(key), now - CertificateSettings.Backdate, now + settings.CaValidity, KeyAlgorithms.RandomSerial());
            return new CertificateAuthority(root, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Pairs a loaded root with its key; refuses a key that belongs to another certificate.</summary>
    public static CertificateAuthority FromParts(X509Certificate2 root, AsymmetricAlgorithm key)
    {
        if (!KeyAlgorithms.Matches(root, key))
        {
            throw new CryptographicException("the private key does not belong to the certificate");
        }

        return new CertificateAuthority(root, key);
    }

    /// <summary>
    /// The newer root's name and key, signed by this (older) root. Peers that trust only the old root can then
    /// validate leaves from the new root when the leaf file carries this certificate as its intermediate.
    /// </summary>
    public X509Certificate2 CrossSign(CertificateAuthority newer, CertificateSettings settings, DateTimeOffset now)
    {
        var request = RootRequest(newer.Root.SubjectName, newer._key, settings, authorityKeyId: AuthorityKeyIdentifier);
        var notAfter = newer.Root.NotAfter < Root.NotAfter ? new DateTimeOffset(newer.Root.NotAfter) : new DateTimeOffset(Root.NotAfter);
        return request.Create(Root.SubjectName, _signer, now - CertificateSettings.Backdate, notAfter, KeyAlgorithms.RandomSerial());
    }

    /// <summary>Signs a leaf, returning its DER. The caller clamps NotAfter to the root's (SvidIssuer, which also reports it).</summary>
    public byte[] SignLeaf(X500DistinguishedName subject, ReadOnlySpan<byte> subjectPublicKeyInfo, DateTimeOffset notBefore, DateTimeOffset notAfter,
        ReadOnlySpan<byte> serial, IEnumerable<X509Extension> extensions) =>
        DerEncoding.Certificate(_signer, Root.SubjectName, subject, subjectPublicKeyInfo, notBefore, notAfter, serial, extensions);

    /// <summary>
    /// A CRL (DER) signed by this root: every revoked serial with its time (serials are random, so listing one another
    /// root issued is harmless), the given CRL number, and the AKI of this root.
    /// </summary>
    /// <summary>The API records serials as hex; anything else (a hand-edited file) cannot name a certificate, so no CRL lists it.</summary>
    public static bool IsListable(string serial) => serial.Length is > 0 and <= 40 && serial.Length % 2 == 0 && serial.All(char.IsAsciiHexDigit);

    public byte[] SignRevocationList(IEnumerable<RevokedCertificate> revoked, long number, DateTimeOffset now, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in revoked)
        {
            if (IsListable(entry.Serial))
            {
                builder.AddEntry(Convert.FromHexString(entry.Serial), entry.RevokedAt);
            }
        }
        var thisUpdate = now - CertificateSettings.Backdate;
        return builder.Build(Root.SubjectName, _signer, new System.Numerics.BigInteger(number), nextUpdate,
            HashAlgorithmName.SHA256, AuthorityKeyIdentifier, thisUpdate);
    }

    /// <summary>Proves the key still signs: a signature over a fixed message that the root's public key verifies.</summary>
    public bool CanSign()
    {
        var message = "lucid service mesh CA health"u8;
        // Called on every /health: the public key objects are released each time.
        switch (_key)
        {
            case ECDsa ecdsa:
                using (var root = Root.GetECDsaPublicKey()!)
                {
                    return root.VerifyData(message, ecdsa.SignData(message, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256);
                }

            case RSA rsa:
                using (var root = Root.GetRSAPublicKey()!)
                {
                    return root.VerifyData(message, rsa.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                }

            default:
                return false;
        }
    }

    /// <summary>The PKCS#8 PEM for ca.key. Only the CA store calls this, to write the file.</summary>
    public byte[] ExportPrivateKeyPem() => KeyAlgorithms.ExportPrivateKeyPem(_key);

    public static string Pem(X509Certificate2 certificate) => PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n";

    public static byte[] PemBytes(IEnumerable<X509Certificate2> certificates) =>
        Encoding.ASCII.GetBytes(string.Concat(certificates.Select(Pem)));

    public void Dispose()
    {
        _key.Dispose();
        Root.Dispose();
    }

    private static CertificateRequest RootRequest(X500DistinguishedName subject, AsymmetricAlgorithm key, CertificateSettings settings,
        X509AuthorityKeyIdentifierExtension? authorityKeyId = null)
    {
        var request = KeyAlgorithms.Request(subject, key);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        if (authorityKeyId is not null)
        {
            request.CertificateExtensions.Add(authorityKeyId);
        }

        request.CertificateExtensions.Add(SubjectAlternativeNames.Build(settings.TrustDomainId));
        return request;
    }
}
