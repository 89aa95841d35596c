using System.Net.Sockets;
using System.Text.Json;

namespace ServiceMesh.Tests.Support;

internal static class Http
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls until something accepts connections on the port (a child process starting up).</summary>
    public static async Task WaitForListeningAsync(int port, MeshProcess process, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"service-mesh (pid {process.Id}) did not listen on {port} within {timeout}");
    }
}
