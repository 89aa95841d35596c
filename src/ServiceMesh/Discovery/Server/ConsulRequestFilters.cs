using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Discovery.Server.Filtering;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// The query options that narrow a read: ?filter= (Consul's filter expressions), ?node-meta= (pairs the node's Meta must
/// hold) and ?dc= (this datacenter, or Consul's answer for one it has no path to).
/// </summary>
internal static class ConsulRequestFilters
{
    /// <summary>Consul's error (structs.ErrNoDCPath), answered as a 500 like every RPC error.</summary>
    public const string NoPathToDatacenter = "No path to datacenter";

    // Routes that forward to a datacenter's servers in Consul (and so read ?dc=); the agent's own routes do not.
    private static readonly string[] DatacenterRoutes = ["/v1/catalog/", "/v1/health/", "/v1/kv/", "/v1/session/", "/v1/txn", "/v1/event/fire/", "/v1/status/"];

    /// <summary>The request's filter for elements of this type (null without one); a bad expression throws Consul's message.</summary>
    public static ConsulFilter? Filter(HttpContext context, JsonTypeInfo element, bool checkOnFirstUse = false) =>
        ConsulFilter.Create(context.Request.Query["filter"].FirstOrDefault(), element, checkOnFirstUse);

    /// <summary>?node-meta=key:value, repeatable (a key given twice keeps its last value): the node must carry every pair.</summary>
    public static bool NodeMetaMatches(HttpContext context, RegistryStore store)
    {
        if (!context.Request.Query.TryGetValue("node-meta", out var pairs))
        {
            return true;
        }

        var wanted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs.Select(p => p ?? ""))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            wanted[colon < 0 ? pair : pair[..colon]] = colon < 0 ? "" : pair[(colon + 1)..];
        }
        var meta = EmbeddedNode.Describe(store).Meta;
        return wanted.All(w => meta.TryGetValue(w.Key, out var value) && value == w.Value);
    }

    /// <summary>The items of the one node, or none when ?node-meta= rules the node out.</summary>
    public static IEnumerable<T> OnMatchingNode<T>(HttpContext context, RegistryStore store, IEnumerable<T> items) =>
        NodeMetaMatches(context, store) ? items : [];

    /// <summary>
    /// Before a route: ?dc= naming another datacenter gets Consul's 500 "No path to datacenter". Around it: a filter
    /// Consul could not create or evaluate gets its message as a 500 too (Consul returns the bexpr error as it is).
    /// </summary>
    public static Func<HttpContext, RequestDelegate, Task> Middleware(RegistryStore store) => async (context, next) =>
    {
        if (context.Request.Query["dc"].FirstOrDefault() is { Length: > 0 } dc && dc != store.Datacenter && context.GetEndpoint() is not null
            && DatacenterRoutes.Any(route => context.Request.Path.StartsWithSegments(route.TrimEnd('/'), StringComparison.Ordinal))
            && context.Request.Path != "/v1/catalog/datacenters")
        {
            await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status500InternalServerError, NoPathToDatacenter).ConfigureAwait(false);
            return;
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (FilterException e) when (!context.Response.HasStarted)
        {
            await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status500InternalServerError, e.Message).ConfigureAwait(false);
        }
    };
}
