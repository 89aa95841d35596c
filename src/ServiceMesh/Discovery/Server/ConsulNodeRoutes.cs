using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>The node-level reads of Consul's agent, catalog, health and status APIs for the one embedded node.</summary>
internal static class ConsulNodeRoutes
{
    private static readonly string[] States = ["any", HealthStatuses.Passing, HealthStatuses.Warning, HealthStatuses.Critical];

    public static void MapConsulNodeApi(this IEndpointRouteBuilder app, RegistryStore store)
    {
        app.MapGet("/v1/agent/self", context => ConsulHttpApi.WriteAsync(context, EmbeddedNode.Self(store), ConsulJsonContext.Default.AgentSelf));
        app.MapGet("/v1/agent/members", context => ConsulHttpApi.WriteAsync(context, [EmbeddedNode.Member(store)], ConsulJsonContext.Default.ListAgentMember));
        app.MapGet("/v1/agent/checks", context => ConsulHttpApi.WriteAsync(context,
            LocalChecks(store).ToDictionary(c => c.CheckId, StringComparer.Ordinal), ConsulJsonContext.Default.DictionaryStringHealthCheck));
        app.MapGet("/v1/agent/service/{id}", (HttpContext context, string id) =>
            store.AgentServices().FirstOrDefault(s => s.Id == id) is { } service
                ? ConsulHttpApi.WriteAsync(context, ConsulRoutes.ToAgentService(store, service), ConsulJsonContext.Default.AgentService)
                : ConsulHttpApi.ErrorAsync(context, StatusCodes.Status404NotFound, $"unknown service ID: {id}"));
        app.MapGet("/v1/status/peers", context =>
            ConsulHttpApi.WriteAsync(context, [$"{store.NodeAddress}:{EmbeddedNode.ServerRpcPort}"], ConsulJsonContext.Default.ListString));

        app.MapGet("/v1/catalog/datacenters", context => ConsulHttpApi.WriteAsync(context, [store.Datacenter], ConsulJsonContext.Default.ListString));
        app.MapGet("/v1/catalog/nodes", async context =>
        {
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Catalog);
            await ConsulHttpApi.WriteAsync(context, [EmbeddedNode.Describe(store)], ConsulJsonContext.Default.ListCatalogNode, store.TopicIndex(ChangeSignals.Catalog));
        });
        app.MapGet("/v1/catalog/node/{node}", async (HttpContext context, string node) =>
        {
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Catalog);
            var index = store.TopicIndex(ChangeSignals.Catalog);
            if (node != store.NodeName)
            {
                await ConsulHttpApi.WriteAsync(context, null, ConsulJsonContext.Default.CatalogNodeServices, index); // Consul: 200 and null
                return;
            }

            var services = store.AgentServices().ToDictionary(s => s.Id, s => ConsulRoutes.ToAgentService(store, s), StringComparer.Ordinal);
            await ConsulHttpApi.WriteAsync(context, new CatalogNodeServices { Node = EmbeddedNode.Describe(store), Services = services },
                ConsulJsonContext.Default.CatalogNodeServices, index);
        });

        app.MapGet("/v1/health/checks/{service}", async (HttpContext context, string service) =>
        {
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Service(service));
            var (index, instances) = store.Instances(service);
            await ConsulHttpApi.WriteAsync(context, EmbeddedNode.Checks(store, instances).ToList(), ConsulJsonContext.Default.ListHealthCheck, index);
        });
        app.MapGet("/v1/health/node/{node}", async (HttpContext context, string node) =>
        {
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Health);
            var checks = node == store.NodeName ? NodeChecks(store).ToList() : [];
            await ConsulHttpApi.WriteAsync(context, checks, ConsulJsonContext.Default.ListHealthCheck, store.TopicIndex(ChangeSignals.Health));
        });
        app.MapGet("/v1/health/state/{state}", async (HttpContext context, string state) =>
        {
            if (!States.Contains(state, StringComparer.Ordinal))
            {
                await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status400BadRequest,
                    $"Invalid check state '{state}': expected any, passing, warning or critical");
                return;
            }

            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Health);
            var checks = NodeChecks(store).Where(c => state == "any" || c.Status == state).ToList();
            await ConsulHttpApi.WriteAsync(context, checks, ConsulJsonContext.Default.ListHealthCheck, store.TopicIndex(ChangeSignals.Health));
        });
    }

    // The node's own checks first, then every service check, as Consul lists a node's checks.
    private static IEnumerable<HealthCheck> NodeChecks(RegistryStore store) => LocalChecks(store).Prepend(EmbeddedNode.SerfHealth(store));

    // What the agent itself holds (agent/checks): serfHealth belongs to the cluster, not to the agent's local state.
    private static IEnumerable<HealthCheck> LocalChecks(RegistryStore store) =>
        EmbeddedNode.NodeChecks(store, store.NodeChecks()).Concat(EmbeddedNode.Checks(store, store.AllInstances()));
}
