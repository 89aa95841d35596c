using System.Globalization;
using Microsoft.AspNetCore.Http;
using ServiceMesh.Configuration;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// Consul's common query parameters, checked before any route runs with Consul's 400 answers (agent/http.go parseWait
/// and parseConsistency): a wait that is not Go duration text, an index that is not a whole number, stale with consistent.
/// </summary>
internal static class ConsulQueryOptions
{
    public const string InvalidWait = "Invalid wait time";
    public const string InvalidIndex = "Invalid index";
    public const string StaleAndConsistent = "Cannot specify ?stale with ?consistent, conflicting semantics.";

    public static async Task RejectBadQueries(HttpContext context, RequestDelegate next)
    {
        if (Problem(context.Request.Query) is { } problem)
        {
            await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>The index a blocking query waits past; 0 (no blocking) when absent.</summary>
    public static ulong Index(IQueryCollection query) =>
        ulong.TryParse(query["index"], NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : 0;

    private static string? Problem(IQueryCollection query)
    {
        if (query.TryGetValue("wait", out var wait) && wait.ToString().Length > 0 && !GoDuration.TryParse(wait, out _))
        {
            return InvalidWait;
        }

        if (query.TryGetValue("index", out var index) && index.ToString().Length > 0
            && !ulong.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return InvalidIndex;
        }

        return query.ContainsKey("stale") && query.ContainsKey("consistent") ? StaleAndConsistent : null;
    }
}
