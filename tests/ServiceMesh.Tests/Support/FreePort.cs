using System.Net;
using System.Net.Sockets;

namespace ServiceMesh.Tests.Support;

internal static class FreePort
{
    // Below Linux's ephemeral range (32768-60999), which the kernel uses for port 0 and outgoing connections, so a
    // client socket cannot take a port between hand-out and bind. The start varies per run so test processes rarely meet.
    private const int First = 20_000;
    private const int Last = 32_000;
    private static int _counter = Random.Shared.Next(0, 6_000);

    /// <summary>A loopback port free for TCP and UDP right now, never the same twice in this test run.</summary>
    public static int Next()
    {
        for (var tries = 0; tries < Last - First; tries++)
        {
            var port = First + Interlocked.Increment(ref _counter) % (Last - First);
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port between {First} and {Last}");
    }

    // DNS listens on UDP too, so both must be free.
    private static bool IsFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
