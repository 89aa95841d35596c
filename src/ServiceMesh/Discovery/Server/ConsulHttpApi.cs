using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Http;

namespace ServiceMesh.Discovery.Server;

/// <summary>Helpers every embedded Consul route shares: blocking queries, Consul headers, plain-text errors, the token.</summary>
internal static class ConsulHttpApi
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    /// <summary>Consul's own limit for a KV value (512 KiB), and so for every request body on this port.</summary>
    public const long MaxRequestBodyBytes = 512 * 1024;

    /// <summary>
    /// Waits as a blocking query asks (?index=&amp;wait=): until the topic's index passes the given one, or the wait
    /// (default 5 min, at most 10 min, plus up to wait/16 of jitter as Consul adds, so many watchers do not return at once).
    /// </summary>
    /// <param name="currentIndex">The index of the data the query reads, when narrower than the topic's (a KV key).</param>
    public static Task BlockAsync(HttpContext context, RegistryStore store, string topic, Func<ulong>? currentIndex = null) =>
        BlockAsync(context, (index, wait, token) => store.WaitAsync(topic, index, wait, token, currentIndex));

    /// <summary>The same for data outside the registry: <paramref name="waitPast"/> gets the asked index, the wait and the token.</summary>
    public static async Task BlockAsync(HttpContext context, Func<ulong, TimeSpan, CancellationToken, Task> waitPast)
    {
        var query = context.Request.Query;
        var index = ConsulQueryOptions.Index(query);
        if (index == 0)
        {
            return;
        }

        var wait = GoDuration.TryParse(query["wait"], out var asked) && asked > TimeSpan.Zero ? asked : DefaultWait;
        wait = wait > MaxWait ? MaxWait : wait;
        wait += TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * wait.Ticks / 16));
        // A stopping server answers its waiting queries at once (with current data) instead of holding shutdown for minutes.
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await waitPast(index, wait, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    public static async Task WriteAsync<T>(HttpContext context, T value, JsonTypeInfo<T> type, ulong? index = null)
    {
        var headers = context.Response.Headers;
        if (index is { } i)
        {
            headers["X-Consul-Index"] = i.ToString(CultureInfo.InvariantCulture);
        }

        headers["X-Consul-KnownLeader"] = "true";
        headers["X-Consul-LastContact"] = "0";
        if (Flag(context, "cached"))
        {
            headers["X-Cache"] = "MISS"; // every answer is read from the registry itself: never an agent-cache hit
        }
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Consul answers errors as plain text with the reason.</summary>
    public static Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message, context.RequestAborted);
    }

    /// <summary>
    /// Refuses a body over <see cref="MaxRequestBodyBytes"/> with 413 before any route runs (also on routes that never read
    /// their body), and answers Kestrel's refusals while a route reads one (a chunked body over the limit, a broken chunk)
    /// with their status and reason as plain text, instead of the empty 500 an escaping exception would give.
    /// </summary>
    public static async Task RejectBadBodies(HttpContext context, RequestDelegate next)
    {
        if (context.Request.ContentLength > MaxRequestBodyBytes)
        {
            await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge(context.Request.ContentLength.Value)).ConfigureAwait(false);
            return;
        }
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await ErrorAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge(null) : e.Message).ConfigureAwait(false);
        }
    }

    // Consul's wording: "Request body(N bytes) too large, max size: 524288 bytes".
    private static string TooLarge(long? length) =>
        $"Request body{(length is { } n ? $"({n.ToString(CultureInfo.InvariantCulture)} bytes)" : "")} too large, max size: {MaxRequestBodyBytes.ToString(CultureInfo.InvariantCulture)} bytes";

    /// <summary>With SERVICE_MESH_API_TOKEN set, writes need it as X-Consul-Token (Consul's header), ?token= or a bearer token.</summary>
    public static bool MayWrite(HttpContext context, string? token)
    {
        if (token is null)
        {
            return true;
        }

        var request = context.Request;
        if (MeshTokenFilter.IsAuthorized(request, token))
        {
            return true;
        }

        var presented = request.Headers["X-Consul-Token"].ToString() is { Length: > 0 } header ? header : request.Query["token"].ToString();
        return MeshTokenFilter.Matches(presented, token);
    }

    public static bool Flag(HttpContext context, string name) => context.Request.Query.ContainsKey(name);
}
