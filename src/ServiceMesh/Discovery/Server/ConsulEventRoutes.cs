using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// Consul's user events (agent/event_endpoint.go): fire answers the event, list the agent's recent ones from its
/// <see cref="UserEventRing"/>. Filters are Go (RE2) regular expressions; .NET's non-backtracking engine takes the same subset.
/// </summary>
internal static class ConsulEventRoutes
{
    /// <summary>Consul's remote-exec event: handled inside the agent (and off by default), never listed.</summary>
    private const string RemoteExec = "_rexec";

    /// <summary>Serf's default UserEventSizeLimit: name plus payload, before encoding; it also bounds the ring's memory.</summary>
    public const int SizeLimit = 512;

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    public static void MapConsulEvents(this IEndpointRouteBuilder app, RegistryStore store, UserEventRing events, string? token)
    {
        app.MapPut("/v1/event/fire/{**name}", (HttpContext context, string? name) => ConsulRoutes.Guarded(context, token, async () =>
        {
            if (string.IsNullOrEmpty(name))
            {
                await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status400BadRequest, "Missing name");
                return;
            }

            var query = context.Request.Query;
            var fired = new UserEvent
            {
                Id = Guid.NewGuid().ToString(), Name = name, Version = 1,
                NodeFilter = query["node"].ToString(), ServiceFilter = query["service"].ToString(), TagFilter = query["tag"].ToString(),
            };
            if (Invalid(fired) is { } problem)
            {
                await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status500InternalServerError, problem); // Consul's status for these
                return;
            }

            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (System.Text.Encoding.UTF8.GetByteCount(name) + buffer.Length > SizeLimit)
            {
                await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status500InternalServerError,
                    $"user event exceeds configured limit of {SizeLimit} bytes before encoding"); // Serf's error, as Consul passes it on
                return;
            }

            fired = fired with { Payload = buffer.Length > 0 ? buffer.ToArray() : null };
            if (fired.Name != RemoteExec && ReachesThisNode(store, fired))
            {
                events.Add(fired);
            }

            await ConsulHttpApi.WriteAsync(context, fired, ConsulJsonContext.Default.UserEvent); // LTime 0, as Consul answers
        }));
        app.MapGet("/v1/event/list", async context =>
        {
            var name = context.Request.Query["name"].ToString() is { Length: > 0 } n ? n : null;
            await ConsulHttpApi.BlockAsync(context, (index, wait, cancel) => events.WaitAsync(name, index, wait, cancel));
            var list = events.List(name);
            await ConsulHttpApi.WriteAsync(context, [.. list], ConsulJsonContext.Default.ListUserEvent, UserEventRing.Index(list));
        });
    }

    // Consul's validateUserEventParams, with its messages.
    private static string? Invalid(UserEvent fired)
    {
        if (fired.TagFilter.Length > 0 && fired.ServiceFilter.Length == 0)
        {
            return "Cannot provide tag filter without service filter";
        }

        foreach (var (what, pattern) in new[] { ("node", fired.NodeFilter), ("service", fired.ServiceFilter), ("tag", fired.TagFilter) })
        {
            try
            {
                _ = pattern.Length > 0 ? Pattern(pattern) : null;
            }
            catch (ArgumentException e)
            {
                return $"Invalid {what} filter: {e.Message}";
            }
        }

        return null;
    }

    // The node filter must match this node's name; the service filter a local service, with a tag matching the tag filter.
    private static bool ReachesThisNode(RegistryStore store, UserEvent fired)
    {
        if (fired.NodeFilter.Length > 0 && !Pattern(fired.NodeFilter).IsMatch(store.NodeName))
        {
            return false;
        }

        if (fired.ServiceFilter.Length == 0)
        {
            return true;
        }

        var service = Pattern(fired.ServiceFilter);
        var tag = fired.TagFilter.Length > 0 ? Pattern(fired.TagFilter) : null;
        return store.AgentServices().Any(s => service.IsMatch(s.Name) && (tag is null || s.Tags.Any(tag.IsMatch)));
    }

    private static Regex Pattern(string pattern) => new(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, MatchTimeout);
}
