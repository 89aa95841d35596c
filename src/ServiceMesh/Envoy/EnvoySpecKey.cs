using System.Globalization;
using System.Text;

namespace ServiceMesh.Envoy;

/// <summary>
/// Everything that shapes a service's files, as one string. Two specs with the same key render the same files, so
/// the generator re-renders only the services whose key changed: after one membership change that is the changed
/// service's callers, not the whole mesh (rendering is most of a generation's cost).
/// </summary>
internal static class EnvoySpecKey
{
    public static string Of(EnvoyServiceSpec spec)
    {
        var key = new StringBuilder(512);
        key.Append(spec.Name).Append('|').Append(spec.ServicePort).Append('|').Append(spec.Protocol).Append('|')
            .Append(spec.PublicPort).Append('|').Append(spec.AdminPort).Append('|').Append(spec.SpiffeId).Append('|')
            .AppendJoin(',', spec.Callers.SpiffeIds).Append('|').Append(spec.Callers.Prefix).Append('|')
            .Append(spec.Tls).Append('|').Append(spec.LocalAppPolicy);
        foreach (var upstream in spec.Upstreams)
        {
            key.Append("|u:").Append(upstream.Name).Append(',').Append(upstream.LocalBindPort).Append(',').Append(upstream.Protocol)
                .Append(',').Append(upstream.SpiffeId).Append(',').Append(upstream.Policy);
            foreach (var endpoint in upstream.Endpoints)
                key.Append(",e:").Append(endpoint.Address).Append(':').Append(endpoint.Port.ToString(CultureInfo.InvariantCulture));
        }
        return key.ToString();
    }
}
