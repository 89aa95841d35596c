using System.Net;
using System.Net.Sockets;

namespace ServiceMesh.Tests.Support;

internal static class FreePort
{
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A loopback port nobody listens on right now, never the same twice in this test run: the OS may give a
    /// just-released port again, and one environment needs several distinct ports (HTTP, Consul, DNS).
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
