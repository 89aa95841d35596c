using System.Globalization;
using System.Net;
using System.Text.Json.Serialization.Metadata;
using ServiceMesh.Configuration;

namespace ServiceMesh.Discovery.Consul;

/// <summary>Where the registry is: the embedded one on loopback, or an external Consul (CONSUL_SCHEME/HOST/PORT).</summary>
internal sealed record ConsulEndpoint(Uri BaseAddress, string? Token = null, string? CaFile = null);

/// <summary>A blocking query: return when the index moves past <paramref name="Index"/>, or after <paramref name="Wait"/>.</summary>
internal sealed record QueryOptions(ulong Index, TimeSpan Wait);

/// <summary>A read's value with Consul's headers (X-Consul-Index, X-Consul-KnownLeader, X-Consul-LastContact).</summary>
internal sealed record QueryResult<T>(T Value, ulong Index, bool KnownLeader, TimeSpan LastContact);

/// <summary>Consul answered with an error status; the body is Consul's plain-text reason.</summary>
internal sealed class ConsulException(HttpStatusCode status, string message)
    : Exception($"Consul answered {(int)status} {status}: {message}")
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>
/// Our Consul HTTP client (no Consul package exists on the feed): HttpClient and source-generated JSON in Consul's
/// names. The runtime uses this one client for both registries, so embedded and external Consul are interchangeable.
/// </summary>
internal sealed class ConsulClient(HttpClient http, ConsulEndpoint endpoint)
{
    /// <summary>Extra time over a blocking query's wait: Consul adds up to wait/16 of jitter, plus slack for the network.</summary>
    private static readonly TimeSpan BlockingSlack = TimeSpan.FromSeconds(5);

    public ConsulEndpoint Endpoint => endpoint;

    public async Task RegisterAsync(AgentServiceRegistration registration, CancellationToken cancellationToken)
    {
        using var content = JsonContent.Create(registration, ConsulJsonContext.Default.AgentServiceRegistration);
        using var response = await SendAsync(HttpMethod.Put, "v1/agent/service/register", content, null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>False when no service has that ID.</summary>
    public Task<bool> DeregisterAsync(string serviceId, CancellationToken cancellationToken) =>
        PutFoundAsync($"v1/agent/service/deregister/{Uri.EscapeDataString(serviceId)}", cancellationToken);

    /// <summary>Sets a TTL check to passing, warning or critical (agent/check/pass|warn|fail). False for an unknown check.</summary>
    public Task<bool> UpdateTtlAsync(string checkId, string status, string? note, CancellationToken cancellationToken)
    {
        var verb = status switch { HealthStatuses.Passing => "pass", HealthStatuses.Warning => "warn", HealthStatuses.Critical => "fail", _ => throw new ArgumentOutOfRangeException(nameof(status), status, "passing, warning or critical") };
        var query = string.IsNullOrEmpty(note) ? "" : "?note=" + Uri.EscapeDataString(note);
        return PutFoundAsync($"v1/agent/check/{verb}/{Uri.EscapeDataString(checkId)}{query}", cancellationToken);
    }

    public async Task<Dictionary<string, AgentService>> AgentServicesAsync(CancellationToken cancellationToken) =>
        (await GetAsync("v1/agent/services", null, ConsulJsonContext.Default.DictionaryStringAgentService, cancellationToken).ConfigureAwait(false))!.Value;

    /// <summary>Service names to their tags.</summary>
    public async Task<QueryResult<Dictionary<string, string[]>>> CatalogServicesAsync(QueryOptions? query, CancellationToken cancellationToken) =>
        (await GetAsync("v1/catalog/services", query, ConsulJsonContext.Default.DictionaryStringStringArray, cancellationToken).ConfigureAwait(false))!;

    public async Task<QueryResult<List<CatalogServiceNode>>> CatalogServiceAsync(string name, QueryOptions? query, CancellationToken cancellationToken) =>
        (await GetAsync($"v1/catalog/service/{Uri.EscapeDataString(name)}", query, ConsulJsonContext.Default.ListCatalogServiceNode, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Instances of a service with their checks; <paramref name="passingOnly"/> adds Consul's ?passing filter.</summary>
    public async Task<QueryResult<List<ServiceEntry>>> HealthServiceAsync(string name, bool passingOnly, QueryOptions? query, CancellationToken cancellationToken) =>
        (await GetAsync($"v1/health/service/{Uri.EscapeDataString(name)}{(passingOnly ? "?passing" : "")}", query, ConsulJsonContext.Default.ListServiceEntry, cancellationToken).ConfigureAwait(false))!;

    /// <summary>The value of a key, or null when it does not exist.</summary>
    public async Task<byte[]?> KvGetAsync(string key, CancellationToken cancellationToken)
    {
        var result = await GetAsync($"v1/kv/{EscapeKey(key)}", null, ConsulJsonContext.Default.ListKvPair, cancellationToken, notFoundIsNull: true).ConfigureAwait(false);
        return result?.Value.FirstOrDefault() is { } pair ? Convert.FromBase64String(pair.Value ?? "") : null;
    }

    public async Task<bool> KvPutAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(value);
        using var response = await SendAsync(HttpMethod.Put, $"v1/kv/{EscapeKey(key)}", content, null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(ConsulJsonContext.Default.Boolean, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> KvDeleteAsync(string key, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"v1/kv/{EscapeKey(key)}", null, null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(ConsulJsonContext.Default.Boolean, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The Raft leader's address ("" when there is none): a cheap reachability probe.</summary>
    public async Task<string> LeaderAsync(CancellationToken cancellationToken) =>
        (await GetAsync("v1/status/leader", null, ConsulJsonContext.Default.String, cancellationToken).ConfigureAwait(false))!.Value ?? "";

    private static string EscapeKey(string key) => string.Join('/', key.Split('/').Select(Uri.EscapeDataString));

    private async Task<QueryResult<T>?> GetAsync<T>(string path, QueryOptions? query, JsonTypeInfo<T> type, CancellationToken cancellationToken, bool notFoundIsNull = false)
    {
        if (query is not null)
        {
            path += (path.Contains('?', StringComparison.Ordinal) ? "&" : "?")
                + string.Create(CultureInfo.InvariantCulture, $"index={query.Index}&wait={GoDuration.Format(query.Wait)}");
        }

        using var response = await SendAsync(HttpMethod.Get, path, null, query, cancellationToken).ConfigureAwait(false);
        if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var value = await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false);
        var headers = response.Headers;
        return new QueryResult<T>(value!,
            ulong.TryParse(Header(headers, "X-Consul-Index"), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : 0,
            string.Equals(Header(headers, "X-Consul-KnownLeader"), "true", StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromMilliseconds(double.TryParse(Header(headers, "X-Consul-LastContact"), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) ? ms : 0));
    }

    private static string? Header(System.Net.Http.Headers.HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private async Task<bool> PutFoundAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Put, path, null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, QueryOptions? query, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(endpoint.BaseAddress, path)) { Content = content };
        if (endpoint.Token is { Length: > 0 } token)
        {
            request.Headers.Add("X-Consul-Token", token);
        }
        // Ordinary calls get a short deadline; blocking ones wait as long as asked (HttpClient.Timeout is infinite).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(query is null ? TimeSpan.FromSeconds(10) : query.Wait + query.Wait / 16 + BlockingSlack);
        try
        {
            return await http.SendAsync(request, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"no answer from {endpoint.BaseAddress} within the deadline for {method} /{path}", e);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw new ConsulException(response.StatusCode, body.Length > 512 ? body[..512] : body.Trim());
    }

    /// <summary>An HttpClient for the endpoint: no overall timeout (blocking queries), the CA file trusted for https.</summary>
    public static HttpClient CreateHttpClient(ConsulEndpoint endpoint)
    {
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1), ConnectTimeout = TimeSpan.FromSeconds(5) };
        if (endpoint.CaFile is { } caFile)
        {
            var authority = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(caFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }

                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate));
            };
        }
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan, DefaultRequestVersion = HttpVersion.Version11 };
    }
}

/// <summary>Consul's rules for the next blocking-query index (api-docs "Blocking Queries", implementation details).</summary>
internal static class BlockingIndex
{
    /// <summary>
    /// Index to send next: reset to 0 (a plain read) when the index went backwards (e.g. a restored snapshot), and
    /// never 0 after a read, because index=0 returns at once and the watch would busy-loop.
    /// </summary>
    public static ulong Next(ulong previous, ulong returned) =>
        returned < previous ? 0 : Math.Max(returned, 1);
}
