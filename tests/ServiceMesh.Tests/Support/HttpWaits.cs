using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace ServiceMesh.Tests.Support;

internal static class HttpWaits
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

    /// <summary>
    /// Polls GET /health until it answers 200 (healthy or degraded: 503 means unhealthy only); returns the last status.
    /// A child process answers 503 while the host component reports it starting.
    /// </summary>
    public static async Task<HttpStatusCode?> WaitForHealthyAsync(int port, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + timeout;
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
                last = response.StatusCode;
                if (last == HttpStatusCode.OK)
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        return last;
    }
}
