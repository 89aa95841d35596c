using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ServiceMesh.Build.Verification;

/// <summary>An HTTP answer: status code and body (status 0 when nothing answered, with the reason as body).</summary>
internal sealed record HttpAnswer(int Status, string Body)
{
    public bool IsOk => Status == (int)HttpStatusCode.OK;

    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>
/// One probe: a method and URL; for https, the PEM bundle the server's certificate must chain to (nothing else is
/// trusted); the media type to ask for, when the route answers more than one.
/// </summary>
internal sealed record ProbeRequest(HttpMethod Method, Uri Url, string? TrustedCaPem = null, string? Accept = null)
{
    public static ProbeRequest Get(Uri url, string? trustedCaPem = null) => new(HttpMethod.Get, url, trustedCaPem);
}

/// <summary>Sends a probe; an interface so run rules can be tested without a listening container.</summary>
internal interface IHttpProbe
{
    Task<HttpAnswer> SendAsync(ProbeRequest request, CancellationToken cancellationToken);
}

/// <summary>Plain HttpClient without proxy: a loopback probe must never be sent through HTTP_PROXY.</summary>
internal sealed class HttpProbe : IHttpProbe
{
    public async Task<HttpAnswer> SendAsync(ProbeRequest request, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) };
        if (request.TrustedCaPem is { } pem)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.ImportFromPem(pem);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var message = new HttpRequestMessage(request.Method, request.Url);
            if (request.Accept is { } accept)
            {
                message.Headers.Accept.ParseAdd(accept);
            }

            using var response = await client.SendAsync(message, cancellationToken);
            return new HttpAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new HttpAnswer(0, e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
        }
    }
}
