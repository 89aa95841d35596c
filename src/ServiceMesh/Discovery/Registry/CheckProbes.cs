using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>
/// One HTTP/TCP check run with Consul's status rules; every hop goes through <see cref="CheckTargets"/>. Output has no
/// user-info and at most <see cref="MaxBodyBytes"/> of body; a probe that cannot run is critical, never an exception.
/// </summary>
internal sealed class CheckProbes : IDisposable
{
    /// <summary>The body bytes kept in Output: enough for "OK" or a short error, too little to read a page through it.</summary>
    public const int MaxBodyBytes = 256;

    /// <summary>As Go's HTTP client (Consul's) stops after 10 redirects.</summary>
    public const int MaxRedirects = 10;

    private readonly HttpClient _direct;
    private readonly HttpClient _following;
    private readonly AllowedNetworks _allowed;

    public CheckProbes(AllowedNetworks allowed)
    {
        _allowed = allowed;
        _direct = CreateHttpClient(allowed, followRedirects: false);
        _following = CreateHttpClient(allowed, followRedirects: true);
    }

    public async Task<(string Status, string Output)> RunAsync(CheckDefinition check, CancellationToken cancellationToken)
    {
        var what = $"{check.Type.ToUpperInvariant()} check {(check.Http is { } url ? CheckTargets.Redact(url) : check.Tcp)}";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(check.Timeout);
            try
            {
                return check.Http is { } http ? await HttpAsync(check, http, timeout.Token).ConfigureAwait(false)
                    : await TcpAsync(check.Tcp!, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (HealthStatuses.Critical, $"{what}: timed out after {GoDuration.Format(check.Timeout)}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (HealthStatuses.Critical, $"{what}: {Reason(e)}");
        }
    }

    // 2xx passing, 429 Too Many Requests warning, anything else critical (Consul's rules).
    private async Task<(string, string)> HttpAsync(CheckDefinition check, string url, CancellationToken cancellationToken)
    {
        var method = check.Method.Length == 0 ? "GET" : check.Method; // Consul's default for an empty Method
        var uri = new Uri(url);
        using var request = new HttpRequestMessage(new HttpMethod(method), WithoutUserInfo(uri));
        request.Headers.UserAgent.ParseAdd("Consul Health Check");
        // Credentials written in the URL go to that URL's host as Basic auth (as Consul's Go client sends them);
        // HttpClient drops the Authorization header on a redirect, so they never reach another host.
        if (uri.UserInfo.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
        }

        var client = check.FollowRedirects ? _following : _direct;
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await ReadPrefixAsync(response, cancellationToken).ConfigureAwait(false);
        var code = (int)response.StatusCode;
        var status = code is >= 200 and < 300 ? HealthStatuses.Passing : code == 429 ? HealthStatuses.Warning : HealthStatuses.Critical;
        return (status, $"HTTP {method} {CheckTargets.Redact(url)}: {code} {response.ReasonPhrase} Output: {body}");
    }

    private static Uri WithoutUserInfo(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri : new Uri(uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped));

    private static async Task<string> ReadPrefixAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxBodyBytes + 1]; // one more, to know whether there was more
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(read, MaxBodyBytes));
            return read > MaxBodyBytes ? text + " [truncated]" : text;
        }
    }

    private async Task<(string, string)> TcpAsync(string target, CancellationToken cancellationToken)
    {
        var split = target.LastIndexOf(':');
        var port = int.Parse(target[(split + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var addresses = await CheckTargets.ResolveAsync(target[..split], _allowed, cancellationToken).ConfigureAwait(false);
        using var socket = await CheckTargets.ConnectAsync(addresses, port, cancellationToken).ConfigureAwait(false);
        return (HealthStatuses.Passing, $"TCP connect {target}: Success");
    }

    // The refusal, when one is inside (HttpClient wraps what its connect callback throws); else the innermost message.
    private static string Reason(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is CheckTargetRefusedException refused)
            {
                return refused.Message;
            }
        }

        return e is HttpRequestException { InnerException: { } cause } ? $"{e.Message} ({cause.Message})" : e.Message;
    }

    private static HttpClient CreateHttpClient(AllowedNetworks allowed, bool followRedirects) => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        AllowAutoRedirect = followRedirects,
        MaxAutomaticRedirections = MaxRedirects,
        UseProxy = false, // a proxy would connect on our behalf to an address nobody checked
        ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = await CheckTargets.ResolveAsync(context.DnsEndPoint.Host, allowed, cancellationToken).ConfigureAwait(false);
            var socket = await CheckTargets.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose()
    {
        _direct.Dispose();
        _following.Dispose();
    }
}
