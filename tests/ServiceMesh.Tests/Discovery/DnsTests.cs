using System.Net;
using System.Net.Sockets;
using DnsClient;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery;

/// <summary>The embedded DNS server on its own port, asked by a real resolver (DnsClient) and once by dig.</summary>
public sealed class DnsTests
{
    private static async Task<MeshTestHost> HostWithServicesAsync()
    {
        var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("web", 8080, "web-1", tags: "primary"), default);
        await consul.RegisterAsync(new AgentServiceRegistration { Id = "web-2", Name = "web", Address = "127.0.0.2", Port = 8081, Tags = ["secondary"] }, default);
        await consul.RegisterAsync(Service("down", 9000, check: new AgentServiceCheck { Ttl = "1m" }), default); // TTL starts critical
        return host;
    }

    [Fact]
    public async Task SrvAndA_ServiceName_BothInstancesWithPortsAndAddresses()
    {
        await using var host = await HostWithServicesAsync();
        var resolver = Resolver(host);

        var srv = await resolver.QueryAsync("web.service.consul", QueryType.SRV);
        srv.Answers.SrvRecords().Select(r => (int)r.Port).ShouldBe([8080, 8081], ignoreOrder: true);
        srv.Additionals.ARecords().Select(r => r.Address.ToString()).ShouldBe(["127.0.0.1", "127.0.0.2"], ignoreOrder: true);
        var a = await resolver.QueryAsync("web.service.consul", QueryType.A);
        a.Answers.ARecords().Select(r => r.Address.ToString()).ShouldBe(["127.0.0.1", "127.0.0.2"], ignoreOrder: true);
        a.Answers.ARecords().First().TimeToLive.ShouldBe(0);
    }

    [Fact]
    public async Task TagAndRfc2782Names_OverTcp_FilterByTag()
    {
        await using var host = await HostWithServicesAsync();
        var resolver = Resolver(host, tcp: true);

        var tagged = await resolver.QueryAsync("primary.web.service.consul", QueryType.SRV);
        tagged.Answers.SrvRecords().Single().Port.ShouldBe((ushort)8080);
        var rfc = await resolver.QueryAsync("_web._tcp.service.consul", QueryType.SRV);
        rfc.Answers.SrvRecords().Count().ShouldBe(2);
        var withDatacenter = await resolver.QueryAsync("web.service.lucid-dc.consul", QueryType.A);
        withDatacenter.Answers.ARecords().Count().ShouldBe(2);
    }

    [Fact]
    public async Task UnknownOrOnlyCriticalService_NxDomainWithSoa()
    {
        await using var host = await HostWithServicesAsync();
        var resolver = Resolver(host);

        foreach (var name in new[] { "nothing.service.consul", "down.service.consul" })
        {
            var response = await resolver.QueryAsync(name, QueryType.A);
            response.Header.ResponseCode.ShouldBe(DnsHeaderResponseCode.NotExistentDomain, name);
            response.Authorities.SoaRecords().ShouldHaveSingleItem().MName.Value.ShouldBe("ns.consul.");
        }
        (await resolver.QueryAsync("example.org", QueryType.A)).Header.ResponseCode.ShouldBe(DnsHeaderResponseCode.Refused);
    }

    [Fact]
    public async Task MalformedPackets_FormErrAndServerKeepsAnswering()
    {
        await using var host = await HostWithServicesAsync();
        using var udp = new UdpClient();
        udp.Connect(IPAddress.Loopback, host.Options.EmbeddedDnsPort);

        await udp.SendAsync(new byte[] { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0xff, 0xff, 0x00 });
        var reply = (await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(15))).Buffer;
        (reply[0], reply[1]).ShouldBe(((byte)0x12, (byte)0x34), "the reply carries the query's ID");
        (reply[3] & 0x0F).ShouldBe(1, "RCODE 1 = FORMERR");
        await udp.SendAsync(new byte[] { 0x01 });
        await udp.SendAsync(new byte[] { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x61 });

        (await Resolver(host).QueryAsync("web.service.consul", QueryType.A)).Answers.ARecords().Count().ShouldBe(2);
    }

    [Fact]
    public async Task Dig_SrvQuery_AnswersWithServicePort()
    {
        await using var host = await HostWithServicesAsync();

        var output = await DigAsync(host, "primary.web.service.consul SRV +short");

        output.Trim().ShouldBe("1 1 8080 7f000001.addr.lucid-dc.consul.");
    }

    [Fact]
    public async Task Dig_NoEdnsApexAndAddrNames_AnsweredAsConsul()
    {
        await using var host = await HostWithServicesAsync();

        var soa = await DigAsync(host, "consul SOA +short");
        var addr = await DigAsync(host, "7f000002.addr.lucid-dc.consul A +short");
        var noEdns = await DigAsync(host, "web.service.consul A +noedns +short");

        soa.Trim().ShouldStartWith("ns.consul. hostmaster.consul.");
        addr.Trim().ShouldBe("127.0.0.2");
        noEdns.Trim().Split('\n').Length.ShouldBeInRange(1, 3);
    }
}
