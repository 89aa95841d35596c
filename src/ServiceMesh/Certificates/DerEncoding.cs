using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServiceMesh.Certificates;

/// <summary>
/// Encodes leaf certificates and EC keys directly with AsnWriter: CertificateRequest.Create returns an X509Certificate2
/// whose parse through OpenSSL 3's decoders costs several times the signature, and a leaf only needs its DER for a
/// file. The CA root and cross-signed certificates (rare) still go through CertificateRequest.
/// </summary>
internal static class DerEncoding
{
    private const string EcPublicKey = "1.2.840.10045.2.1";
    private const string P256 = "1.2.840.10045.3.1.7";
    private static readonly DateTimeOffset GeneralizedTimeFrom = new(2050, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>An X.509 v3 certificate (RFC 5280 §4.1), signed by <paramref name="signer"/> with SHA-256.</summary>
    public static byte[] Certificate(X509SignatureGenerator signer, X500DistinguishedName issuer, X500DistinguishedName subject,
        ReadOnlySpan<byte> subjectPublicKeyInfo, DateTimeOffset notBefore, DateTimeOffset notAfter, ReadOnlySpan<byte> serial,
        IEnumerable<X509Extension> extensions)
    {
        var algorithm = signer.GetSignatureAlgorithmIdentifier(HashAlgorithmName.SHA256);
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbs.WriteInteger(2); // v3
            }

            tbs.WriteInteger(serial);
            tbs.WriteEncodedValue(algorithm);
            tbs.WriteEncodedValue(issuer.RawData);
            using (tbs.PushSequence())
            {
                WriteTime(tbs, notBefore);
                WriteTime(tbs, notAfter);
            }
            tbs.WriteEncodedValue(subject.RawData);
            tbs.WriteEncodedValue(subjectPublicKeyInfo);
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
            using (tbs.PushSequence())
            {
                foreach (var extension in extensions)
                {
                    using (tbs.PushSequence())
                    {
                        tbs.WriteObjectIdentifier(extension.Oid!.Value!);
                        if (extension.Critical)
                        {
                            tbs.WriteBoolean(true);
                        }

                        tbs.WriteOctetString(extension.RawData);
                    }
                }
            }
        }
        var toBeSigned = tbs.Encode();
        var certificate = new AsnWriter(AsnEncodingRules.DER);
        using (certificate.PushSequence())
        {
            certificate.WriteEncodedValue(toBeSigned);
            certificate.WriteEncodedValue(algorithm);
            certificate.WriteBitString(signer.SignData(toBeSigned, HashAlgorithmName.SHA256));
        }
        return certificate.Encode();
    }

    /// <summary>Certificate times have whole seconds; this is the value a parser will read back.</summary>
    public static DateTimeOffset ToCertificateTime(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    /// <summary>SubjectPublicKeyInfo for a P-256 point (uncompressed, 04 || X || Y).</summary>
    public static byte[] EcSubjectPublicKeyInfo(ReadOnlySpan<byte> point)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteEcAlgorithm(writer);
            writer.WriteBitString(point);
        }
        return writer.Encode();
    }

    /// <summary>PKCS#8 PrivateKeyInfo holding an RFC 5915 ECPrivateKey (with the public key), as ECDsa.ExportPkcs8PrivateKey writes it.</summary>
    public static byte[] EcPkcs8(ReadOnlySpan<byte> privateScalar, ReadOnlySpan<byte> point)
    {
        var inner = new AsnWriter(AsnEncodingRules.DER);
        using (inner.PushSequence())
        {
            inner.WriteInteger(1);
            inner.WriteOctetString(privateScalar);
            using (inner.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
            {
                inner.WriteBitString(point);
            }
        }
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(0);
            WriteEcAlgorithm(writer);
            // The inner key is written straight into the outer buffer, so no intermediate copy of the scalar is left behind.
            using (writer.PushOctetString())
            {
                inner.CopyTo(writer);
            }
        }
        inner.Reset();
        return writer.Encode();
    }

    private static void WriteEcAlgorithm(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(EcPublicKey);
            writer.WriteObjectIdentifier(P256);
        }
    }

    // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    private static void WriteTime(AsnWriter writer, DateTimeOffset value)
    {
        var time = ToCertificateTime(value);
        if (time < GeneralizedTimeFrom)
        {
            writer.WriteUtcTime(time);
        }
        else
        {
            writer.WriteGeneralizedTime(time, omitFractionalSeconds: true);
        }
    }
}
