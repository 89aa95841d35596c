using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// Consul DNS: A/AAAA/SRV for <c>[tag.]svc.service[.dc].consul</c> and RFC 2782 <c>_svc._tcp.service[.dc].consul</c>
/// (passing/warning only); NXDOMAIN+SOA if unknown, REFUSED outside <c>consul.</c>, FORMERR if unreadable. Never throws.
/// </summary>
internal sealed class DnsResponder(RegistryStore store, TimeSpan ttl)
{
    public const int MaxUdpBytes = 512;
    private static readonly DomainName Zone = new("consul");

    public byte[] Answer(byte[] query, bool udp)
    {
        Message request;
        try
        {
            request = (Message)new Message().Read(query, 0, query.Length);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Error(query, MessageStatus.FormatError);
        }
        var response = new Message { Id = request.Id, QR = true, Opcode = request.Opcode, RD = request.RD, AA = true };
        response.Questions.AddRange(request.Questions);
        if (request.QR || request.Questions.Count != 1)
        {
            response.Status = MessageStatus.FormatError;
        }
        else if (request.Opcode != MessageOperation.Query)
        {
            response.Status = MessageStatus.NotImplemented;
        }
        else
        {
            Resolve(request.Questions[0], response);
        }

        try
        {
            if (udp && response.Length() > MaxUdpBytes)
            {
                response.Truncate(MaxUdpBytes);
            }

            return response.ToByteArray();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Error(query, MessageStatus.ServerFailure);
        }
    }

    private void Resolve(Question question, Message response)
    {
        if (!question.Name.BelongsTo(Zone))
        {
            response.AA = false;
            response.Status = MessageStatus.Refused;
            return;
        }
        var labels = question.Name.Labels.Select(l => l.ToLowerInvariant()).ToArray();
        var serviceAt = Array.IndexOf(labels, "service");
        var (service, tag) = serviceAt switch
        {
            1 => (labels[0], null),
            2 when labels[0].StartsWith('_') && labels[1].StartsWith('_') => (labels[0][1..], labels[1] == "_tcp" ? null : labels[1][1..]),
            2 => (labels[1], labels[0]),
            _ => ((string?)null, (string?)null),
        };
        // after "service": "consul", or "<dc>.consul" for our datacenter
        var suffixOk = serviceAt > 0 && (labels.Length == serviceAt + 2 || labels.Length == serviceAt + 3 && string.Equals(labels[serviceAt + 1], store.Datacenter, StringComparison.OrdinalIgnoreCase));
        var instances = service is null || !suffixOk ? [] : store.Instances(service).Instances
            .Where(i => i.AggregatedStatus != HealthStatuses.Critical && (tag is null || i.Service.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)))
            .ToList();
        if (instances.Count == 0)
        {
            response.Status = MessageStatus.NameError;
            response.AuthorityRecords.Add(Soa());
            return;
        }
        foreach (var instance in instances)
        {
            var address = Address(instance);
            if (question.Type is DnsType.SRV or DnsType.ANY)
            {
                var target = IPAddress.TryParse(address, out var ip) ? AddressName(ip) : new DomainName(address);
                response.Answers.Add(new SRVRecord { Name = question.Name, TTL = ttl, Priority = 1, Weight = 1, Port = (ushort)instance.Service.Registration.Port, Target = target });
                if (AddressFor(target, address, only: null) is { } glue)
                {
                    response.AdditionalRecords.Add(glue);
                }
            }
            if (question.Type is DnsType.A or DnsType.AAAA or DnsType.ANY
                && AddressFor(question.Name, address, only: question.Type == DnsType.ANY ? null : question.Type) is { } record)
            {
                response.Answers.Add(record);
            }
        }
        if (response.Answers.Count == 0)
        {
            response.AuthorityRecords.Add(Soa()); // the name exists, but not with this type: NOERROR, no data
        }
    }

    private ResourceRecord? AddressFor(DomainName name, string address, DnsType? only)
    {
        if (!IPAddress.TryParse(address, out var ip))
        {
            return null;
        }

        if (ip.AddressFamily == AddressFamily.InterNetwork && only is null or DnsType.A)
        {
            return new ARecord { Name = name, TTL = ttl, Address = ip };
        }

        if (ip.AddressFamily == AddressFamily.InterNetworkV6 && only is null or DnsType.AAAA)
        {
            return new AAAARecord { Name = name, TTL = ttl, Address = ip };
        }

        return null;
    }

    // Consul's name for an address without a node: the address in hex under addr.<dc>.consul.
    private DomainName AddressName(IPAddress ip) =>
        new($"{Convert.ToHexStringLower(ip.GetAddressBytes())}.addr.{store.Datacenter}.consul");

    private string Address(InstanceView instance) =>
        instance.Service.Registration.Address is { Length: > 0 } address ? address : store.NodeAddress;

    private SOARecord Soa() => new()
    {
        Name = Zone, TTL = ttl, PrimaryName = new DomainName("ns.consul"), Mailbox = new DomainName("hostmaster.consul"),
        SerialNumber = (uint)(store.Index & uint.MaxValue), Refresh = TimeSpan.FromHours(1), Retry = TimeSpan.FromMinutes(10),
        Expire = TimeSpan.FromDays(1), Minimum = ttl,
    };

    // A reply to something we could not parse: the query's ID if it has one, and the error code.
    private static byte[] Error(byte[] query, MessageStatus status)
    {
        var response = new Message { QR = true, Status = status };
        if (query.Length >= 2)
        {
            response.Id = (ushort)(query[0] << 8 | query[1]);
        }

        return response.ToByteArray();
    }
}
