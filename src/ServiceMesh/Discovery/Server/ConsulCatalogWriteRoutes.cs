using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Http;

namespace ServiceMesh.Discovery.Server;

/// <summary>catalog/register and deregister for the agent's own node, as the agent endpoints do. The embedded agent is one
/// node and keeps no other (many nodes need a Consul cluster): registering another is refused, deregistering one is
/// true, as Consul answers for a node it does not know.</summary>
internal static class ConsulCatalogWriteRoutes
{
    public static void MapConsulCatalogWrites(this IEndpointRouteBuilder app, RegistryStore store, string? token)
    {
        app.MapPut("/v1/catalog/register", context => ConsulRoutes.Guarded(context, token, async () =>
        {
            var (request, problem) = await JsonBody.ReadAsync(context.Request, ConsulJsonContext.Default.CatalogRegistration, context.RequestAborted);
            if (await RegisterAsync(store, request, problem, context.RequestAborted) is { } refusal)
            {
                await ConsulHttpApi.ErrorAsync(context, refusal.Status, refusal.Reason);
                return;
            }

            await ConsulHttpApi.WriteAsync(context, true, ConsulJsonContext.Default.Boolean);
        }));
        app.MapPut("/v1/catalog/deregister", context => ConsulRoutes.Guarded(context, token, async () =>
        {
            var (request, problem) = await JsonBody.ReadAsync(context.Request, ConsulJsonContext.Default.CatalogDeregistration, context.RequestAborted);
            if (await DeregisterAsync(store, request, problem, context.RequestAborted) is { } refusal)
            {
                await ConsulHttpApi.ErrorAsync(context, refusal.Status, refusal.Reason);
                return;
            }

            await ConsulHttpApi.WriteAsync(context, true, ConsulJsonContext.Default.Boolean);
        }));
    }

    // The service first, then its checks (a check may name it), each durable before the next: not one transaction as in
    // Consul, so a disk that fills up half way keeps the part written before (and the caller hears 503).
    private static async Task<CheckRefusal?> RegisterAsync(RegistryStore store, CatalogRegistration? request, BodyProblem? problem, CancellationToken cancellationToken)
    {
        if (problem is not null)
        {
            return new CheckRefusal(problem.Status, $"Request decode failed: {problem}");
        }

        if (string.IsNullOrEmpty(request!.Node) || string.IsNullOrEmpty(request.Address))
        {
            return new CheckRefusal(500, "Must provide node and address"); // consul/catalog_endpoint.go, an RPC error: 500
        }

        if (request.Node != store.NodeName)
        {
            return new CheckRefusal(400, $"Node \"{request.Node}\" is not this agent's node \"{store.NodeName}\": the embedded registry is a single-node "
                + "Consul agent and keeps no other nodes; register external nodes with a Consul cluster (DISCOVERY_MODE=consul)");
        }

        if (request.Service is { } service)
        {
            if (!string.IsNullOrEmpty(service.Id) && string.IsNullOrEmpty(service.Service))
            {
                return new CheckRefusal(500, "Must provide service name with ID");
            }

            if (await store.RegisterAsync(service.ToRegistration(), cancellationToken).ConfigureAwait(false) is { } error)
            {
                return new CheckRefusal(400, $"Invalid service: {error}");
            }
        }
        foreach (var check in (request.Check is { } one ? [one] : request.Checks ?? []))
        {
            var registration = new AgentCheckRegistration
            {
                Id = string.IsNullOrEmpty(check.CheckId) ? check.Name : check.CheckId, Name = check.Name, ServiceId = check.ServiceId, Notes = check.Notes, Status = check.Status,
            };
            if (await store.RegisterCheckAsync(registration, cancellationToken).ConfigureAwait(false) is { } refusal)
            {
                return refusal;
            }
        }
        return null;
    }

    private static async Task<CheckRefusal?> DeregisterAsync(RegistryStore store, CatalogDeregistration? request, BodyProblem? problem, CancellationToken cancellationToken)
    {
        if (problem is not null)
        {
            return new CheckRefusal(problem.Status, $"Request decode failed: {problem}");
        }

        if (string.IsNullOrEmpty(request!.Node))
        {
            return new CheckRefusal(500, "Must provide node");
        }

        if (request.Node != store.NodeName)
        {
            return null; // no such node here: nothing to remove
        }

        if (!string.IsNullOrEmpty(request.ServiceId))
        {
            await store.DeregisterAsync(request.ServiceId, cancellationToken).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(request.CheckId) && !await store.DeregisterCheckAsync(request.CheckId, cancellationToken).ConfigureAwait(false)
            && store.CheckStateOf(request.CheckId) is not null)
        {
            return new CheckRefusal(400, ConsulCheckRoutes.ServiceOwned(request.CheckId));
        }

        if (string.IsNullOrEmpty(request.ServiceId) && string.IsNullOrEmpty(request.CheckId))
        {
            await store.DeregisterNodeAsync(cancellationToken).ConfigureAwait(false);
        }

        return null;
    }
}
