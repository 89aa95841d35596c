using System.Net;
using System.Net.Sockets;

namespace ServiceMesh.Build.Verification;

/// <summary>The ports a service-mesh run binds on the host network, all free when chosen.</summary>
internal sealed record MeshPorts(int Http, int ConsulHttp, int ConsulHttps, int ConsulGrpc, int Dns)
{
    /// <summary>The runtime's environment variables for these ports.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["HTTP_PORT"] = Http.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["EMBEDDED_CONSUL_HTTP_PORT"] = ConsulHttp.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["EMBEDDED_CONSUL_HTTPS_PORT"] = ConsulHttps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["EMBEDDED_CONSUL_GRPC_PORT"] = ConsulGrpc.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["EMBEDDED_DNS_PORT"] = Dns.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Five distinct ports free on loopback (the DNS one for TCP and UDP). Another process may still take one before the
    /// container binds it; the kernel hands out ephemeral ports round-robin, which makes that rare.
    /// </summary>
    public static MeshPorts Allocate()
    {
        var ports = new List<int>();
        while (ports.Count < 5)
        {
            var port = FreeTcpPort();
            if (!ports.Contains(port) && (ports.Count < 4 || IsUdpFree(port)))
            {
                ports.Add(port);
            }
        }

        return new MeshPorts(ports[0], ports[1], ports[2], ports[3], ports[4]);
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsUdpFree(int port)
    {
        try
        {
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
