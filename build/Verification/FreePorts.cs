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

    // Below Linux's ephemeral range (32768-60999 by default): a port the kernel picked for "port 0" comes from that
    // range, and so does the local port of every outgoing connection on this host, which could take it before the
    // container binds it. The start is random so two builds on one host rarely meet.
    private const int First = 20_000;
    private const int Last = 32_000;

    /// <summary>Five distinct ports free for TCP and UDP on every address right now, from below the ephemeral range.</summary>
    public static MeshPorts Allocate()
    {
        var ports = new List<int>();
        var offset = Random.Shared.Next(0, Last - First);
        for (var tries = 0; tries < Last - First && ports.Count < 5; tries++)
        {
            var port = First + (offset + tries) % (Last - First);
            if (IsFree(port))
            {
                ports.Add(port);
            }
        }

        return ports.Count == 5
            ? new MeshPorts(ports[0], ports[1], ports[2], ports[3], ports[4])
            : throw new InvalidOperationException($"fewer than 5 free ports between {First} and {Last}");
    }

    // The runtime binds all addresses, and DNS listens on UDP too.
    private static bool IsFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Any, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
