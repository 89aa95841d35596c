using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace ServiceMesh.Certificates;

/// <summary>
/// URI SANs written and read exactly: SubjectAlternativeNameBuilder.AddUri normalises "spiffe://td" to "spiffe://td/"
/// (a path the SPIFFE spec forbids for a trust domain ID), and the .NET extension type enumerates DNS and IP names only.
/// </summary>
internal static class SubjectAlternativeNames
{
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);
    private static readonly Asn1Tag DnsTag = new(TagClass.ContextSpecific, 2);

    public static X509SubjectAlternativeNameExtension Build(string uri, params ReadOnlySpan<string> dnsNames)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, UriTag);
            foreach (var name in dnsNames)
                writer.WriteCharacterString(UniversalTagNumber.IA5String, name, DnsTag);
        }
        return new X509SubjectAlternativeNameExtension(writer.Encode(), critical: false);
    }

    public static IReadOnlyList<string> Uris(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (extension is null)
            return [];
        var uris = new List<string>();
        var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (names.HasData)
        {
            if (names.PeekTag().HasSameClassAndValue(UriTag))
                uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
            else
                names.ReadEncodedValue();
        }
        return uris;
    }
}
