using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>/v1/kv: get (?recurse, ?keys with ?separator, ?raw; blocking per key or prefix), put (?flags, ?cas, ?acquire, ?release), delete (?recurse, ?cas), as Consul answers.</summary>
internal static class ConsulKvRoutes
{
    private const string Prefix = "/v1/kv/";

    public static void MapConsulKv(this IEndpointRouteBuilder app, RegistryStore store, string? token)
    {
        app.MapGet(Prefix + "{**key}", async context =>
        {
            var key = KeyOf(context);
            var recurse = ConsulHttpApi.Flag(context, "recurse") || ConsulHttpApi.Flag(context, "keys");
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Kv, () => store.KvChangeIndex(key, recurse));
            if (ConsulHttpApi.Flag(context, "keys"))
            {
                var (keysIndex, keys) = store.KvKeys(key, context.Request.Query["separator"]);
                await WriteOr404Async(context, keys.Count, () => ConsulHttpApi.WriteAsync(context, keys.ToList(), ConsulJsonContext.Default.ListString, keysIndex), keysIndex);
                return;
            }

            var (index, pairs) = store.Kv(key, recurse);
            if (ConsulHttpApi.Flag(context, "raw") && pairs.Count > 0)
            {
                context.Response.Headers["X-Consul-Index"] = index.ToString(CultureInfo.InvariantCulture);
                context.Response.ContentType = "application/octet-stream";
                await context.Response.Body.WriteAsync(pairs[0].Value, context.RequestAborted);
                return;
            }

            var body = pairs.Select(k => KvPair.From(new KvResult(k, ValueShown: true))).ToList();
            await WriteOr404Async(context, body.Count, () => ConsulHttpApi.WriteAsync(context, body, ConsulJsonContext.Default.ListKvPair, index), index);
        });
        app.MapPut(Prefix + "{**key}", context => ConsulRoutes.Guarded(context, token, async () =>
        {
            if (Refusal(context, store) is { } refusal)
            {
                await ConsulHttpApi.ErrorAsync(context, refusal.Status, refusal.Reason);
                return;
            }

            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var outcome = await store.WriteKvAsync([PutOperation(context, buffer.ToArray())], context.RequestAborted);
            await ConsulHttpApi.WriteAsync(context, outcome.Succeeded, ConsulJsonContext.Default.Boolean);
        }));
        app.MapDelete(Prefix + "{**key}", context => ConsulRoutes.Guarded(context, token, async () =>
        {
            if (!TryNumber(context, "cas", out var cas))
            {
                await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status400BadRequest, "Invalid CAS index");
                return;
            }

            var deleted = await store.DeleteKvAsync(KeyOf(context), cas, ConsulHttpApi.Flag(context, "recurse"), context.RequestAborted);
            await ConsulHttpApi.WriteAsync(context, deleted, ConsulJsonContext.Default.Boolean);
        }));
    }

    // As Consul's kvs endpoint picks the verb: ?acquire and ?release win over ?cas; the body is the value for all four.
    private static KvOperation PutOperation(HttpContext context, byte[] value)
    {
        var query = context.Request.Query;
        _ = TryNumber(context, "flags", out var flags);
        _ = TryNumber(context, "cas", out var cas);
        var (verb, session) = query.TryGetValue("release", out var released) ? (KvVerbs.Unlock, released.ToString())
            : query.TryGetValue("acquire", out var acquired) ? (KvVerbs.Lock, acquired.ToString())
            : (cas is null ? KvVerbs.Set : KvVerbs.Cas, null);
        return new KvOperation(verb, KeyOf(context), value, flags ?? 0, cas ?? 0, session);
    }

    // From the raw request target, percent-decoded once as Go's URL.Path is: "a%2Fb" is the key "a/b" (Kestrel keeps %2F).
    private static string KeyOf(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var path = target.Split('?', 2)[0];
        if (!path.StartsWith('/') && Uri.TryCreate(path, UriKind.Absolute, out var absolute))
        {
            path = absolute.AbsolutePath; // an absolute-form target ("http://host/v1/kv/a"), as a forward proxy sends it
        }

        return Uri.UnescapeDataString(path.StartsWith(Prefix, StringComparison.Ordinal) ? path[Prefix.Length..] : "");
    }

    // Consul answers an acquire with a session that does not exist with 500 and the state store's error.
    private static (int Status, string Reason)? Refusal(HttpContext context, RegistryStore store)
    {
        var query = context.Request.Query;
        if (KeyOf(context).Length == 0)
        {
            return (StatusCodes.Status400BadRequest, "Missing key name");
        }

        if (query.TryGetValue("acquire", out var session) && !query.ContainsKey("release") && !store.SessionExists(session.ToString()))
        {
            return (StatusCodes.Status500InternalServerError, $"invalid session \"{session}\"");
        }

        return !TryNumber(context, "flags", out _) ? (StatusCodes.Status400BadRequest, "Invalid flags")
            : !TryNumber(context, "cas", out _) ? (StatusCodes.Status400BadRequest, "Invalid CAS index")
            : null;
    }

    private static bool TryNumber(HttpContext context, string name, out ulong? value)
    {
        value = null;
        if (!context.Request.Query.TryGetValue(name, out var text))
        {
            return true;
        }

        var parsed = ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number);
        value = parsed ? number : null;
        return parsed;
    }

    private static Task WriteOr404Async(HttpContext context, int count, Func<Task> write, ulong index)
    {
        if (count > 0)
        {
            return write();
        }

        context.Response.Headers["X-Consul-Index"] = index.ToString(CultureInfo.InvariantCulture);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
