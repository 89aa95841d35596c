using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>/v1/session: create, destroy, renew, info, list, node, as Consul's session endpoints answer.</summary>
internal static class ConsulSessionRoutes
{
    public static void MapConsulSessions(this IEndpointRouteBuilder app, RegistryStore store, string? token)
    {
        app.MapPut("/v1/session/create", context => ConsulRoutes.Guarded(context, token, async () =>
        {
            var (request, problem) = await SessionRequest.ReadAsync(context.Request, store.NodeName, context.RequestAborted);
            if (problem is not null)
            {
                await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status400BadRequest, $"Request decode failed: {problem}");
                return;
            }

            // Consul answers these with 500: they come back from its RPC as errors, not from the HTTP decoder.
            var (id, error) = SessionRequest.Problem(request!) is { } invalid ? (null, invalid) : await store.CreateSessionAsync(request!, context.RequestAborted);
            if (error is not null)
            {
                await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status500InternalServerError, error);
                return;
            }

            await ConsulHttpApi.WriteAsync(context, new SessionCreated(id!), ConsulSessionJsonContext.Default.SessionCreated);
        }));
        app.MapPut("/v1/session/destroy/{id}", (HttpContext context, string id) => ConsulRoutes.Guarded(context, token, async () =>
        {
            await store.DestroySessionAsync(id, context.RequestAborted);
            await ConsulHttpApi.WriteAsync(context, true, ConsulJsonContext.Default.Boolean);
        }));
        app.MapPut("/v1/session/renew/{id}", (HttpContext context, string id) => ConsulRoutes.Guarded(context, token, () =>
            store.RenewSession(id) is { } session
                ? WriteAsync(context, [session], store.SessionIndex)
                : ConsulHttpApi.ErrorAsync(context, StatusCodes.Status404NotFound, $"Session id '{id}' not found")));
        app.MapGet("/v1/session/info/{id}", (HttpContext context, string id) => ReadAsync(context, store, s => s.Id == id));
        app.MapGet("/v1/session/node/{node}", (HttpContext context, string node) => ReadAsync(context, store, s => s.Node == node));
        app.MapGet("/v1/session/list", context => ReadAsync(context, store, _ => true));
    }

    private static async Task ReadAsync(HttpContext context, RegistryStore store, Func<SessionRecord, bool> which)
    {
        await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Sessions);
        var (index, sessions) = store.Sessions(which);
        await WriteAsync(context, sessions, index);
    }

    private static Task WriteAsync(HttpContext context, IEnumerable<SessionRecord> sessions, ulong index) =>
        ConsulHttpApi.WriteAsync(context, sessions.Select(SessionEntry.From).ToList(), ConsulSessionJsonContext.Default.ListSessionEntry, index);
}
