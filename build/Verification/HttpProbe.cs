using System.Net;

namespace ServiceMesh.Build.Verification;

/// <summary>An HTTP answer: status code and body (status 0 when nothing answered, with the reason as body).</summary>
internal sealed record HttpAnswer(int Status, string Body)
{
    public bool IsOk => Status == (int)HttpStatusCode.OK;
}

/// <summary>GETs a URL; an interface so run rules can be tested without a listening container.</summary>
internal interface IHttpProbe
{
    Task<HttpAnswer> GetAsync(Uri url, CancellationToken cancellationToken);
}

/// <summary>Plain HttpClient without proxy: a loopback probe must never be sent through HTTP_PROXY.</summary>
internal sealed class HttpProbe : IHttpProbe
{
    public async Task<HttpAnswer> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await client.GetAsync(url, cancellationToken);
            return new HttpAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new HttpAnswer(0, e.Message);
        }
    }
}
