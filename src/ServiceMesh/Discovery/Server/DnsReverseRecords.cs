using System.Globalization;
using System.Net;
using Makaretu.Dns;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// Reverse lookups under <c>in-addr.arpa.</c> and <c>ip6.arpa.</c>, as Consul's handlePtr answers them: the node's address
/// is <c>&lt;node&gt;.node.&lt;dc&gt;.consul.</c>; otherwise the first instance registered with that address is
/// <c>&lt;service&gt;.service.&lt;dc&gt;.consul.</c>. PTR records carry TTL 0 there, and so here.
/// </summary>
internal sealed class DnsReverseRecords(RegistryStore store)
{
    public static readonly DomainName Arpa = new("arpa");

    /// <summary>False when the name is no address this agent knows (the caller answers NXDOMAIN with the SOA).</summary>
    public bool Resolve(Question question, Message response)
    {
        if (AddressOf(question.Name) is not { } ip || PointerFor(ip) is not { } target)
        {
            return false;
        }

        if (question.Type is DnsType.PTR or DnsType.ANY)
        {
            response.Answers.Add(new PTRRecord { Name = question.Name, TTL = TimeSpan.Zero, DomainName = target });
        }

        return true;
    }

    private DomainName? PointerFor(IPAddress ip)
    {
        if (IPAddress.TryParse(store.NodeAddress, out var node) && node.Equals(ip))
        {
            return new DomainName($"{store.NodeName}.node.{store.Datacenter}.consul");
        }

        // Only instances registered with an address of their own: one without it is found through the node's address.
        var service = store.AgentServices().FirstOrDefault(s => IPAddress.TryParse(s.Registration.Address, out var a) && a.Equals(ip));
        return service is null ? null : new DomainName($"{service.Name}.service.{store.Datacenter}.consul");
    }

    /// <summary>The address a full reverse name stands for: 4 octets before in-addr.arpa, 32 nibbles before ip6.arpa.</summary>
    internal static IPAddress? AddressOf(DomainName name)
    {
        var labels = name.Labels.Select(l => l.ToLowerInvariant()).Reverse().ToList(); // "arpa" first, then most significant
        if (labels is ["arpa", "in-addr", .. var octets] && octets.Count == 4)
        {
            var bytes = new byte[4];
            for (var i = 0; i < 4; i++)
            {
                if (octets[i].Length is 0 or > 3 || !byte.TryParse(octets[i], NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
                {
                    return null;
                }
            }

            return new IPAddress(bytes);
        }

        if (labels is ["arpa", "ip6", .. var nibbles] && nibbles.Count == 32 && nibbles.All(n => n.Length == 1 && Uri.IsHexDigit(n[0])))
        {
            return new IPAddress(Convert.FromHexString(string.Concat(nibbles)));
        }

        return null;
    }
}
