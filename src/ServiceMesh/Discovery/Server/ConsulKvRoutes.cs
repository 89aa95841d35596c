using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>/v1/kv: get (?recurse, ?keys with ?separator, ?raw), put (?flags, ?cas), delete (?recurse, ?cas), as Consul answers.</summary>
internal static class ConsulKvRoutes
{
    private const string Prefix = "/v1/kv/";

    public static void MapConsulKv(this IEndpointRouteBuilder app, RegistryStore store, string? token)
    {
        app.MapGet(Prefix + "{**key}", async context =>
        {
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Kv);
            var key = KeyOf(context);
            if (ConsulHttpApi.Flag(context, "keys"))
            {
                var (keysIndex, keys) = store.KvKeys(key, context.Request.Query["separator"]);
                await WriteOr404Async(context, keys.Count, () => ConsulHttpApi.WriteAsync(context, keys.ToList(), ConsulJsonContext.Default.ListString, keysIndex), keysIndex);
                return;
            }

            var (index, pairs) = store.Kv(key, ConsulHttpApi.Flag(context, "recurse"));
            if (ConsulHttpApi.Flag(context, "raw") && pairs.Count > 0)
            {
                context.Response.Headers["X-Consul-Index"] = index.ToString(CultureInfo.InvariantCulture);
                context.Response.ContentType = "application/octet-stream";
                await context.Response.Body.WriteAsync(pairs[0].Value, context.RequestAborted);
                return;
            }

            var body = pairs.Select(k => new KvPair { Key = k.Key, CreateIndex = k.CreateIndex, ModifyIndex = k.ModifyIndex, Flags = k.Flags, Value = Convert.ToBase64String(k.Value) }).ToList();
            await WriteOr404Async(context, body.Count, () => ConsulHttpApi.WriteAsync(context, body, ConsulJsonContext.Default.ListKvPair, index), index);
        });
        app.MapPut(Prefix + "{**key}", context => ConsulRoutes.Guarded(context, token, async () =>
        {
            if (Refusal(context) is { } refusal)
            {
                await ConsulHttpApi.ErrorAsync(context, refusal.Status, refusal.Reason);
                return;
            }

            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            _ = TryNumber(context, "flags", out var flags);
            _ = TryNumber(context, "cas", out var cas);
            var written = await store.PutKvAsync(KeyOf(context), buffer.ToArray(), flags ?? 0, cas, context.RequestAborted);
            await ConsulHttpApi.WriteAsync(context, written, ConsulJsonContext.Default.Boolean);
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

    // Locks need sessions, which the embedded agent does not serve yet: no session ID can be valid, so say so rather than
    // answer true and lock nothing.
    private static (int Status, string Reason)? Refusal(HttpContext context)
    {
        var query = context.Request.Query;
        if (KeyOf(context).Length == 0)
        {
            return (StatusCodes.Status400BadRequest, "Missing key name");
        }

        foreach (var verb in new[] { "acquire", "release" })
        {
            if (query.TryGetValue(verb, out var session))
            {
                return (StatusCodes.Status500InternalServerError,
                    $"invalid session \"{session}\": the embedded agent has no sessions yet, so ?{verb} cannot hold a lock");
            }
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
