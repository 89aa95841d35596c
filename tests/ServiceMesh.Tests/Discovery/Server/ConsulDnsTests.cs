using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Makaretu.Dns;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>
/// Consul DNS behaviours (agent/dns.go, and the defaults its documentation states), asked by a real resolver (DnsClient,
/// which sends EDNS) and by raw UDP packets without EDNS, as older stub resolvers send them.
/// </summary>
public sealed class ConsulDnsTests
{
    [Fact]
    public async Task Udp_NoEdns_AtMostThreeAnswersShuffledAcrossQueries_TcpGetsAll()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        for (var i = 1; i <= 20; i++)
        {
            await consul.RegisterAsync(new AgentServiceRegistration { Id = $"web-{i}", Name = "web", Address = $"127.0.1.{i}", Port = 8080 }, default);
        }

        var firsts = new HashSet<string>();
        for (var query = 0; query < 30; query++)
        {
            var (reply, bytes) = await AskUdpWithoutEdnsAsync(host, "web.service.consul", DnsType.A);
            reply.Answers.Count.ShouldBe(3);
            bytes.ShouldBeLessThanOrEqualTo(512);
            firsts.Add(((Makaretu.Dns.ARecord)reply.Answers[0]).Address.ToString());
        }
        var tcp = await Resolver(host, tcp: true).QueryAsync("web.service.consul", QueryType.A);

        firsts.Count.ShouldBeGreaterThan(1, "every client getting the same first instance means no shuffling");
        tcp.Answers.ARecords().Count().ShouldBe(20);
    }

    [Fact]
    public async Task NodeAddrAndConsulNames_TheSrvTargetsAndTheServerResolve()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("web", 8080, "web-1"), default);
        var resolver = Resolver(host);

        var srv = await resolver.QueryAsync("web.service.consul", QueryType.SRV);
        var target = srv.Answers.SrvRecords().Single().Target.Value;
        var targetA = await resolver.QueryAsync(target, QueryType.A);
        var node = await resolver.QueryAsync("service-mesh.node.consul", QueryType.A);
        var server = await resolver.QueryAsync("consul.service.consul", QueryType.SRV);

        target.ShouldBe($"7f000001.addr.{host.Options.ConsulDatacenter}.consul.");
        targetA.Answers.ARecords().Single().Address.ToString().ShouldBe("127.0.0.1");
        node.Answers.ARecords().Single().Address.ToString().ShouldBe("127.0.0.1");
        server.Answers.SrvRecords().Single().Port.ShouldBe((ushort)8300);
    }

    [Fact]
    public async Task ZoneApex_SoaAndNs_Answered()
    {
        await using var host = await MeshTestHost.StartAsync();
        var resolver = Resolver(host);

        var soa = await resolver.QueryAsync("consul", QueryType.SOA);
        var ns = await resolver.QueryAsync("consul", QueryType.NS);

        soa.Answers.SoaRecords().Single().MName.Value.ShouldBe("ns.consul.");
        ns.Answers.NsRecords().Single().NSDName.Value.ShouldBe("ns.consul.");
        ns.Additionals.ARecords().Single().Address.ToString().ShouldBe("127.0.0.1");
    }

    [Fact]
    public async Task ServiceRegisteredByHostName_ACname()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(new AgentServiceRegistration { Id = "db-1", Name = "db", Address = "db.internal.example", Port = 5432 }, default);

        var answer = await Resolver(host).QueryAsync("db.service.consul", QueryType.A);

        answer.Header.ResponseCode.ShouldBe(DnsHeaderResponseCode.NoError);
        answer.Answers.OfType<CNameRecord>().Single().CanonicalName.Value.ShouldBe("db.internal.example.");
    }

    [Fact] // TestDNS_ServiceReverseLookupNodeAddress
    public async Task DigReverse_NodeAddress_NodeNameEvenWhenAServiceHasIt()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(new AgentServiceRegistration { Id = "db-1", Name = "db", Address = "127.0.0.1", Port = 12345, Tags = ["primary"] }, default);

        var answer = await DigAsync(host, "-x 127.0.0.1 +noall +answer");

        answer.Trim().ShouldMatch($@"^1\.0\.0\.127\.in-addr\.arpa\.\s+0\s+IN\s+PTR\s+service-mesh\.node\.{host.Options.ConsulDatacenter}\.consul\.$");
    }

    [Fact] // TestDNS_ServiceReverseLookup, TestDNS_ServiceReverseLookup_IPV6
    public async Task DigReverse_ServiceAddress_ServiceNameInTheDatacenter()
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(new AgentServiceRegistration { Id = "db-1", Name = "db", Address = "127.0.0.2", Port = 12345, Tags = ["primary"] }, default);
        await consul.RegisterAsync(new AgentServiceRegistration { Id = "cache-1", Name = "cache", Address = "2001:db8::ff00:42:8329", Port = 6379 }, default);
        var dc = host.Options.ConsulDatacenter;

        var v4 = await DigAsync(host, "-x 127.0.0.2 +short");
        var v6 = await DigAsync(host, "-x 2001:db8::ff00:42:8329 +short");
        var v6Name = await DigAsync(host, "9.2.3.8.2.4.0.0.0.0.f.f.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. ANY +short");

        v4.Trim().ShouldBe($"db.service.{dc}.consul.");
        v6.Trim().ShouldBe($"cache.service.{dc}.consul.");
        v6Name.Trim().ShouldBe($"cache.service.{dc}.consul.");
    }

    [Fact] // TestDNS_ReverseLookup_NotFound
    public async Task DigReverse_UnknownOrPartialAddress_NxDomainWithTheZoneSoa()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("web", 8080, "web-1"), default); // no address of its own: found as the node

        var unknown = await DigAsync(host, "-x 127.0.0.9");
        var partial = await DigAsync(host, "0.127.in-addr.arpa. PTR");

        foreach (var output in new[] { unknown, partial })
        {
            output.ShouldContain("status: NXDOMAIN");
            output.ShouldContain("ANSWER: 0");
            output.ShouldMatch(@"consul\.\s+\d+\s+IN\s+SOA\s+ns\.consul\. hostmaster\.consul\.");
        }
    }

    private static async Task<(Message Reply, int Bytes)> AskUdpWithoutEdnsAsync(MeshTestHost host, string name, DnsType type)
    {
        var query = new Message { Id = (ushort)Random.Shared.Next(1, ushort.MaxValue), RD = true };
        query.Questions.Add(new Question { Name = name, Type = type });
        using var udp = new UdpClient();
        udp.Connect(IPAddress.Loopback, host.Options.EmbeddedDnsPort);
        await udp.SendAsync(query.ToByteArray());
        var bytes = (await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(15))).Buffer;
        return ((Message)new Message().Read(bytes, 0, bytes.Length), bytes.Length);
    }
}
