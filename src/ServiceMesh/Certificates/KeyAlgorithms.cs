using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServiceMesh.Configuration;

namespace ServiceMesh.Certificates;

/// <summary>Key creation, requests and signing for the two supported algorithms (ECDSA P-256, RSA).</summary>
internal static class KeyAlgorithms
{
    public const string EcPublicKeyOid = "1.2.840.10045.2.1";
    public const string RsaPublicKeyOid = "1.2.840.113549.1.1.1";

    public static AsymmetricAlgorithm CreateKey(KeyAlgorithm algorithm, int rsaKeySize) => algorithm switch
    {
        KeyAlgorithm.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        KeyAlgorithm.Rsa => RSA.Create(rsaKeySize),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    public static CertificateRequest Request(X500DistinguishedName subject, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ecdsa => new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentException($"unsupported key type {key.GetType().Name}", nameof(key)),
    };

    public static X509SignatureGenerator SignatureGenerator(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentException($"unsupported key type {key.GetType().Name}", nameof(key)),
    };

    /// <summary>Reads a PKCS#8 PEM key of the type the certificate names.</summary>
    public static AsymmetricAlgorithm ImportPrivateKey(X509Certificate2 certificate, ReadOnlySpan<char> pem)
    {
        AsymmetricAlgorithm key = certificate.GetKeyAlgorithm() switch
        {
            EcPublicKeyOid => ECDsa.Create(),
            RsaPublicKeyOid => RSA.Create(),
            var other => throw new CryptographicException($"unsupported public key algorithm {other}"),
        };
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public static bool Matches(X509Certificate2 certificate, AsymmetricAlgorithm key) =>
        certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo());

    /// <summary>PKCS#8 PEM as bytes; the caller zeroes them after writing.</summary>
    public static byte[] ExportPrivateKeyPem(AsymmetricAlgorithm key)
    {
        var der = key.ExportPkcs8PrivateKey();
        try
        {
            return PrivateKeyPem(der);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>"-----BEGIN PRIVATE KEY-----" PEM around PKCS#8 DER, as ASCII bytes with a final newline.</summary>
    public static byte[] PrivateKeyPem(ReadOnlySpan<byte> pkcs8)
    {
        var length = PemEncoding.GetEncodedSize("PRIVATE KEY".Length, pkcs8.Length);
        var chars = new char[length];
        try
        {
            PemEncoding.TryWrite("PRIVATE KEY", pkcs8, chars, out _);
            var bytes = new byte[length + 1];
            System.Text.Encoding.ASCII.GetBytes(chars, bytes);
            bytes[^1] = (byte)'\n';
            return bytes;
        }
        finally
        {
            Array.Clear(chars);
        }
    }

    public const string EcdsaP256Name = "ecdsa-p256";

    public static string Name(AsymmetricAlgorithm key) => key switch
    {
        ECDsa => EcdsaP256Name,
        RSA rsa => $"rsa-{rsa.KeySize}",
        _ => key.GetType().Name,
    };

    /// <summary>A random positive serial: 16 bytes, top bit clear and second bit set, so always 127 bits long (RFC 5280 allows up to 20 octets).</summary>
    public static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }
}
