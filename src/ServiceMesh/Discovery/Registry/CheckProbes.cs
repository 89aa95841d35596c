using System.Net;
using System.Net.Sockets;
using System.Text;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>One run of an HTTP or TCP check, with Consul's status rules and output text.</summary>
internal sealed class CheckProbes(HttpClient http)
{
    /// <summary>Consul keeps 4 KB of a check's output.</summary>
    public const int MaxOutputBytes = 4096;

    public async Task<(string Status, string Output)> RunAsync(CheckDefinition check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(check.Timeout);
        try
        {
            return check.Http is { } url ? await HttpAsync(url, check.Method, timeout.Token).ConfigureAwait(false)
                : await TcpAsync(check.Tcp!, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (HealthStatuses.Critical, $"{check.Type.ToUpperInvariant()} check {check.Http ?? check.Tcp}: timed out after {GoDuration.Format(check.Timeout)}");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException)
        {
            return (HealthStatuses.Critical, $"{check.Type.ToUpperInvariant()} check {check.Http ?? check.Tcp}: {e.Message}");
        }
    }

    // 2xx passing, 429 Too Many Requests warning, anything else critical (Consul's rules).
    private async Task<(string, string)> HttpAsync(string url, string method, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.UserAgent.ParseAdd("Consul Health Check");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await ReadPrefixAsync(response, cancellationToken).ConfigureAwait(false);
        var code = (int)response.StatusCode;
        var status = code is >= 200 and < 300 ? HealthStatuses.Passing : code == 429 ? HealthStatuses.Warning : HealthStatuses.Critical;
        return (status, $"HTTP {method} {url}: {code} {response.ReasonPhrase} Output: {body}");
    }

    private static async Task<string> ReadPrefixAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxOutputBytes];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
                read += n;
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
    }

    private static async Task<(string, string)> TcpAsync(string target, CancellationToken cancellationToken)
    {
        var split = target.LastIndexOf(':');
        var host = target[..split].Trim('[', ']');
        var port = int.Parse(target[(split + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        using var client = new TcpClient(IPAddress.TryParse(host, out var ip) ? ip.AddressFamily : AddressFamily.InterNetwork);
        await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        return (HealthStatuses.Passing, $"TCP connect {target}: Success");
    }

    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        AllowAutoRedirect = true,
    }) { Timeout = Timeout.InfiniteTimeSpan };
}
