using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// Consul DNS names under <c>consul.</c> (optionally <c>&lt;dc&gt;.consul.</c>): <c>[tag.]svc.service</c> and RFC 2782
/// <c>_svc._tcp.service</c> (passing and warning instances; <c>consul.service</c> is the server itself), <c>&lt;node&gt;.node</c>,
/// <c>&lt;hex&gt;.addr</c> (the SRV targets), the zone's SOA and NS, and reverse names (<see cref="DnsReverseRecords"/>).
/// NXDOMAIN with SOA if unknown, REFUSED outside the zone and <c>arpa.</c>
/// </summary>
internal sealed class DnsRecords(RegistryStore store, TimeSpan ttl)
{
    private static readonly DomainName Zone = new("consul");
    private static readonly DomainName NameServer = new("ns.consul");
    private readonly DnsReverseRecords _reverse = new(store);

    public void Resolve(Question question, Message response)
    {
        if (question.Name.BelongsTo(DnsReverseRecords.Arpa))
        {
            Answered(_reverse.Resolve(question, response), response);
            return;
        }

        if (!question.Name.BelongsTo(Zone))
        {
            response.AA = false;
            response.Status = MessageStatus.Refused;
            return;
        }

        var labels = question.Name.Labels.Select(l => l.ToLowerInvariant()).ToList();
        labels.RemoveAt(labels.Count - 1); // "consul"
        if (labels.Count > 0 && string.Equals(labels[^1], store.Datacenter, StringComparison.OrdinalIgnoreCase))
        {
            labels.RemoveAt(labels.Count - 1);
        }

        var found = labels switch
        {
            [] => Apex(question, response),
            [var node, "node"] => string.Equals(node, store.NodeName, StringComparison.OrdinalIgnoreCase) && Address(question, response, question.Name, store.NodeAddress),
            [var hex, "addr"] => FromHex(hex) is { } ip && Address(question, response, question.Name, ip.ToString()),
            [.. var name, "service"] => Services(question, response, name),
            _ => false,
        };
        Answered(found, response);
    }

    private void Answered(bool found, Message response)
    {
        if (!found)
        {
            response.Status = MessageStatus.NameError;
            response.AuthorityRecords.Add(Soa());
        }
        else if (response.Answers.Count == 0)
        {
            response.AuthorityRecords.Add(Soa()); // the name exists, but not with this type: NOERROR, no data
        }
    }

    private bool Apex(Question question, Message response)
    {
        if (question.Type is DnsType.SOA or DnsType.ANY)
        {
            response.Answers.Add(Soa());
        }

        if (question.Type is DnsType.NS or DnsType.ANY)
        {
            response.Answers.Add(new NSRecord { Name = Zone, TTL = ttl, Authority = NameServer });
            AddAddress(response.AdditionalRecords, NameServer, store.NodeAddress, only: null);
        }

        return true;
    }

    private bool Services(Question question, Message response, List<string> name)
    {
        var (service, tag) = name switch
        {
            [var s] => (s, null),
            [var s, var t] when s.StartsWith('_') && t.StartsWith('_') => (s[1..], t == "_tcp" ? null : t[1..]),
            [var t, var s] => (s, t),
            _ => ((string?)null, (string?)null),
        };
        if (service is null)
        {
            return false;
        }

        List<(string Address, int Port)> targets = service == "consul" && tag is null
            ? [(store.NodeAddress, EmbeddedNode.ServerRpcPort)]
            : store.Instances(service).Instances
                .Where(i => i.AggregatedStatus != HealthStatuses.Critical && (tag is null || i.Service.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)))
                .Select(i => (i.Service.Registration.Address is { Length: > 0 } a ? a : store.NodeAddress, i.Service.Registration.Port))
                .ToList();
        foreach (var (address, port) in targets)
        {
            if (question.Type is DnsType.SRV or DnsType.ANY)
            {
                var target = IPAddress.TryParse(address, out var ip) ? AddressName(ip) : new DomainName(address);
                response.Answers.Add(new SRVRecord { Name = question.Name, TTL = ttl, Priority = 1, Weight = 1, Port = (ushort)port, Target = target });
                AddAddress(response.AdditionalRecords, target, address, only: null);
            }

            if (question.Type is DnsType.A or DnsType.AAAA or DnsType.ANY or DnsType.CNAME)
            {
                Address(question, response, question.Name, address);
            }
        }

        return targets.Count > 0;
    }

    // An address for the asked type; a host name is a CNAME to it, as Consul answers for a service registered by name.
    private bool Address(Question question, Message response, DomainName name, string address)
    {
        if (!IPAddress.TryParse(address, out _))
        {
            response.Answers.Add(new CNAMERecord { Name = name, TTL = ttl, Target = new DomainName(address) });
            return true;
        }

        AddAddress(response.Answers, name, address, question.Type == DnsType.ANY ? null : question.Type);
        return true;
    }

    private void AddAddress(List<ResourceRecord> records, DomainName name, string address, DnsType? only)
    {
        if (!IPAddress.TryParse(address, out var ip))
        {
            return;
        }

        if (ip.AddressFamily == AddressFamily.InterNetwork && only is null or DnsType.A)
        {
            records.Add(new ARecord { Name = name, TTL = ttl, Address = ip });
        }
        else if (ip.AddressFamily == AddressFamily.InterNetworkV6 && only is null or DnsType.AAAA)
        {
            records.Add(new AAAARecord { Name = name, TTL = ttl, Address = ip });
        }
    }

    // Consul's name for an address without a node: the address in hex under addr.<dc>.consul.
    private DomainName AddressName(IPAddress ip) =>
        new($"{Convert.ToHexStringLower(ip.GetAddressBytes())}.addr.{store.Datacenter}.consul");

    private static IPAddress? FromHex(string hex) =>
        hex.Length is 8 or 32 && hex.All(Uri.IsHexDigit) ? new IPAddress(Convert.FromHexString(hex)) : null;

    private SOARecord Soa() => new()
    {
        Name = Zone, TTL = ttl, PrimaryName = NameServer, Mailbox = new DomainName("hostmaster.consul"),
        SerialNumber = (uint)(store.Index & uint.MaxValue), Refresh = TimeSpan.FromHours(1), Retry = TimeSpan.FromMinutes(10),
        Expire = TimeSpan.FromDays(1), Minimum = ttl,
    };
}
