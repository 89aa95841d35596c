using System.Net;
using System.Net.Sockets;
using ServiceMesh.Build.Verification;

namespace ServiceMesh.Build.Tests.Verification;

public sealed class FreePortsTests
{
    [Fact]
    public void Allocate_Always_FiveDistinctPortsBelowTheEphemeralRangeFreeForTcpAndUdp()
    {
        var ports = MeshPorts.Allocate();

        int[] all = [ports.Http, ports.ConsulHttp, ports.ConsulHttps, ports.ConsulGrpc, ports.Dns];
        all.Distinct().Count().ShouldBe(5);
        foreach (var port in all)
        {
            port.ShouldBeInRange(20_000, 31_999, "the kernel never picks these for an outgoing connection");
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Any, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Any, port));
        }

        ports.Environment["EMBEDDED_DNS_PORT"].ShouldBe(ports.Dns.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
