using System.Formats.Asn1;
using System.Net;
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
    private static readonly Asn1Tag IpTag = new(TagClass.ContextSpecific, 7);

    public static X509SubjectAlternativeNameExtension Build(string uri, params ReadOnlySpan<string> dnsNames) => Build(uri, dnsNames, []);

    /// <param name="addresses">iPAddress names (RFC 5280 §4.2.1.6: 4 or 16 octets), for servers that clients dial by address.</param>
    public static X509SubjectAlternativeNameExtension Build(string uri, ReadOnlySpan<string> dnsNames, ReadOnlySpan<IPAddress> addresses)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, UriTag);
            foreach (var name in dnsNames)
            {
                writer.WriteCharacterString(UniversalTagNumber.IA5String, name, DnsTag);
            }

            foreach (var address in addresses)
            {
                writer.WriteOctetString(address.GetAddressBytes(), IpTag);
            }
        }
        return new X509SubjectAlternativeNameExtension(writer.Encode(), critical: false);
    }

    public static IReadOnlyList<string> Uris(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (extension is null)
        {
            return [];
        }

        var uris = new List<string>();
        var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (names.HasData)
        {
            if (names.PeekTag().HasSameClassAndValue(UriTag))
            {
                uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
            }
            else
            {
                names.ReadEncodedValue();
            }
        }
        return uris;
    }
}
