using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Hosting;

/// <summary>
/// The real executable at LOG_LEVEL=DEBUG: tokens sent every way a client can (?token=, X-Consul-Token, a bearer
/// header), right and wrong, to both ports, appear in no line of its output, while the request lines are still there.
/// </summary>
public sealed class LogRedactionProcessTests : IDisposable
{
    private const string Token = "lucid-log-secret-7f3a9c2e5b1d";
    private const string WrongToken = "wrong-guess-4b8e1f6a2d9c";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("json")]
    [InlineData("text")]
    public async Task Run_DebugLogsWithTokensSentEveryWay_NoLineCarriesAToken(string format)
    {
        var environment = MeshEnvironment.For(_folder);
        environment["LOG_LEVEL"] = "DEBUG";
        environment["LOG_FORMAT"] = format;
        environment["SERVICE_MESH_API_TOKEN"] = Token;
        var api = int.Parse(environment["HTTP_PORT"]!, CultureInfo.InvariantCulture);
        var consulPort = int.Parse(environment["EMBEDDED_CONSUL_HTTP_PORT"]!, CultureInfo.InvariantCulture);
        using var process = MeshProcess.Start(environment);
        await HttpWaits.WaitForListeningAsync(api, process, TimeSpan.FromSeconds(30));
        await HttpWaits.WaitForListeningAsync(consulPort, process, TimeSpan.FromSeconds(30));

        using var client = new HttpClient();
        foreach (var token in new[] { Token, WrongToken })
        {
            await SendAsync(client, HttpMethod.Put, $"http://127.0.0.1:{consulPort}/v1/kv/by-query?token={token}");
            await SendAsync(client, HttpMethod.Put, $"http://127.0.0.1:{consulPort}/v1/kv/by-header", ("X-Consul-Token", token));
            await SendAsync(client, HttpMethod.Put, $"http://127.0.0.1:{consulPort}/v1/kv/by-bearer", ("Authorization", $"Bearer {token}"));
            await SendAsync(client, HttpMethod.Post, $"http://127.0.0.1:{api}/certificates/web?token={token}");
            await SendAsync(client, HttpMethod.Post, $"http://127.0.0.1:{api}/certificates/web", ("Authorization", $"Bearer {token}"));
            await SendAsync(client, HttpMethod.Get, $"http://127.0.0.1:{api}/services", ("X-Consul-Token", token));
            // A malformed request line: Kestrel logs the line itself at DEBUG.
            await SendRawAsync(consulPort, $"PUT /v1/kv/raw?token={token} HTTP/1.1 trailing-junk\r\nHost: x\r\n\r\n");
        }
        process.Terminate();
        var output = (await process.WaitAsync(TimeSpan.FromSeconds(20))).Output;

        output.ShouldNotContain(Token, Case.Sensitive, "the configured token is in no log line");
        output.ShouldNotContain(WrongToken, Case.Sensitive, "nor is a token a client presented");
        var lines = output.Split('\n');
        lines.Count(l => l.Contains("Request starting", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(12, "request lines are still logged");
        lines.ShouldContain(l => l.Contains("Request starting", StringComparison.Ordinal) && l.Contains("/v1/kv/by-query?token=[redacted]", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("Request starting", StringComparison.Ordinal) && l.Contains("/certificates/web?token=[redacted]", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("/v1/kv/raw?token=[redacted]", StringComparison.Ordinal), "Kestrel's bad-request line, redacted");
    }

    private static async Task SendAsync(HttpClient client, HttpMethod method, string url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, new Uri(url)) { Content = method == HttpMethod.Get ? null : new StringContent("value") };
        foreach (var (name, value) in headers)
        {
            if (name == "Authorization")
            {
                request.Headers.Authorization = AuthenticationHeaderValue.Parse(value);
            }
            else
            {
                request.Headers.Add(name, value);
            }
        }
        using var response = await client.SendAsync(request);
    }

    private static async Task SendRawAsync(int port, string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    }
}
