using System.Security.Cryptography;
using System.Text;

namespace ServiceMesh.Certificates;

/// <summary>
/// ca.crl beside the trust bundle, for Envoy (<c>validation_context.crl</c>) and <c>openssl verify -crl_check</c>: the
/// active root's CRL, then the final CRLs of roots being retired. It exists only while it covers every root of the
/// bundle: a verifier that checks CRLs refuses a leaf whose issuer has none, which would cut the mesh in two.
/// </summary>
internal sealed class RevocationListFile(string folder, ICertificateFileSystem files)
{
    public const string FileName = "ca.crl";
    private const string Label = "X509 CRL";
    private const UnixFileMode PublicMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public string FilePath => Path.Combine(folder, FileName);

    public void Write(IEnumerable<byte[]> revocationLists) => files.WriteAtomic(FilePath, Pem(revocationLists), PublicMode);

    public void Delete() => files.DeleteFile(FilePath);

    public static byte[] Pem(IEnumerable<byte[]> revocationLists) =>
        Encoding.ASCII.GetBytes(string.Concat(revocationLists.Select(der => PemEncoding.WriteString(Label, der) + "\n")));

    /// <summary>The DER of every CRL block in the PEM text; other blocks are skipped.</summary>
    public static List<byte[]> ParsePem(string text)
    {
        var found = new List<byte[]>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual(Label))
                found.Add(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
            rest = rest[fields.Location.End..];
        }
        return found;
    }
}
