using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ServiceMesh.Certificates;

/// <summary>
/// ca.crl beside the trust bundle, for <c>openssl verify -crl_check</c> and anyone else checking peers: the active
/// root's CRL, then the final CRLs of roots being retired. It exists only while it covers every root of the bundle: a
/// verifier that checks CRLs refuses a leaf whose issuer has none, which would cut the mesh in two.
/// </summary>
internal sealed class RevocationListFile(string folder, ICertificateFileSystem files)
{
    public const string FileName = "ca.crl";
    private const string Label = "X509 CRL";

    public string FilePath => Path.Combine(folder, FileName);

    public void Write(ReadOnlySpan<byte> pem) => files.WriteAtomic(FilePath, pem, ICertificateFileSystem.PublicMode);

    public void Delete() => files.DeleteFile(FilePath);

    public byte[]? Read() => files.ReadIfExists(FilePath);

    /// <summary>
    /// The nextUpdate and the revoked serials (hex, upper case) of a CRL (DER), as <see cref="IsSignedBy"/> found it
    /// issued; null when it cannot be read.
    /// </summary>
    public static (DateTimeOffset? NextUpdate, IReadOnlySet<string> Serials)? Describe(byte[] crl)
    {
        try
        {
            var list = new AsnReader(crl, AsnEncodingRules.DER).ReadSequence();
            var fields = list.ReadSequence();
            if (fields.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                fields.ReadInteger(); // version
            }

            fields.ReadSequence(); // signature
            fields.ReadEncodedValue(); // issuer
            ReadTime(fields); // thisUpdate
            DateTimeOffset? nextUpdate = fields.HasData && IsTime(fields.PeekTag()) ? ReadTime(fields) : null;
            var serials = new HashSet<string>(StringComparer.Ordinal);
            if (fields.HasData && fields.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = fields.ReadSequence();
                while (entries.HasData)
                {
                    serials.Add(Convert.ToHexString(entries.ReadSequence().ReadIntegerBytes().Span));
                }
            }
            return (nextUpdate, serials);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    public static byte[] Pem(IEnumerable<byte[]> revocationLists) =>
        Encoding.ASCII.GetBytes(string.Concat(revocationLists.Select(der => PemEncoding.WriteString(Label, der) + "\n")));

    /// <summary>
    /// Whether <paramref name="root"/> issued this CRL (DER): its issuer is the root's name and the root's key verifies
    /// its SHA-256 signature, as our CRLs are made. A damaged or foreign list would make a verifier refuse peers.
    /// </summary>
    public static bool IsSignedBy(byte[] crl, X509Certificate2 root)
    {
        try
        {
            var list = new AsnReader(crl, AsnEncodingRules.DER).ReadSequence();
            var toBeSigned = list.ReadEncodedValue();
            list.ReadSequence(); // signatureAlgorithm: the key type below decides how to verify
            var signature = list.ReadBitString(out _);
            var fields = new AsnReader(toBeSigned, AsnEncodingRules.DER).ReadSequence();
            if (fields.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                fields.ReadInteger(); // version
            }

            fields.ReadSequence(); // signature
            if (!fields.ReadEncodedValue().Span.SequenceEqual(root.SubjectName.RawData))
            {
                return false;
            }

            using var ecdsa = root.GetECDsaPublicKey();
            if (ecdsa is not null)
            {
                return ecdsa.VerifyData(toBeSigned.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }

            using var rsa = root.GetRSAPublicKey();
            return rsa is not null && rsa.VerifyData(toBeSigned.Span, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The DER of every CRL block in the PEM text; other blocks are skipped.</summary>
    public static List<byte[]> ParsePem(string text)
    {
        var found = new List<byte[]>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual(Label))
            {
                found.Add(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
            }

            rest = rest[fields.Location.End..];
        }
        return found;
    }
}
