using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Discovery.Server.Filtering;

namespace ServiceMesh.Discovery.Server;

/// <summary>The node-level reads of Consul's agent, catalog, health and status APIs for the one embedded node.</summary>
internal static class ConsulNodeRoutes
{
    private static readonly string[] States = ["any", HealthStatuses.Passing, HealthStatuses.Warning, HealthStatuses.Critical];

    public static void MapConsulNodeApi(this IEndpointRouteBuilder app, RegistryStore store)
    {
        app.MapGet("/v1/agent/self", context => ConsulHttpApi.WriteAsync(context, EmbeddedNode.Self(store), ConsulJsonContext.Default.AgentSelf));
        app.MapGet("/v1/agent/members", context => ConsulHttpApi.WriteAsync(context,
            ConsulRequestFilters.Filter(context, ConsulJsonContext.Default.AgentMember).Keep([EmbeddedNode.Member(store)], ConsulJsonContext.Default.AgentMember),
            ConsulJsonContext.Default.ListAgentMember));
        app.MapGet("/v1/agent/checks", context =>
        {
            // Consul checks this filter's selectors only against a first check: with none, any selector passes.
            var filter = ConsulRequestFilters.Filter(context, ConsulJsonContext.Default.HealthCheck, checkOnFirstUse: true);
            var checks = LocalChecks(store).Select(c => KeyValuePair.Create(c.CheckId, c));
            return ConsulHttpApi.WriteAsync(context, filter.Keep(checks, ConsulJsonContext.Default.HealthCheck), ConsulJsonContext.Default.DictionaryStringHealthCheck);
        });
        app.MapGet("/v1/agent/service/{id}", (HttpContext context, string id) =>
            store.AgentServices().FirstOrDefault(s => s.Id == id) is { } service
                ? ConsulHttpApi.WriteAsync(context, ConsulRoutes.ToAgentService(store, service), ConsulJsonContext.Default.AgentService)
                : ConsulHttpApi.ErrorAsync(context, StatusCodes.Status404NotFound, $"unknown service ID: {id}"));
        app.MapGet("/v1/status/peers", context =>
            ConsulHttpApi.WriteAsync(context, [$"{store.NodeAddress}:{EmbeddedNode.ServerRpcPort}"], ConsulJsonContext.Default.ListString));

        app.MapGet("/v1/catalog/datacenters", context => ConsulHttpApi.WriteAsync(context, [store.Datacenter], ConsulJsonContext.Default.ListString));
        app.MapGet("/v1/catalog/nodes", async context =>
        {
            var filter = ConsulRequestFilters.Filter(context, ConsulJsonContext.Default.CatalogNode);
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Catalog);
            var nodes = ConsulRequestFilters.OnMatchingNode(context, store, [EmbeddedNode.Describe(store)]);
            await ConsulHttpApi.WriteAsync(context, filter.Keep(nodes, ConsulJsonContext.Default.CatalogNode), ConsulJsonContext.Default.ListCatalogNode,
                store.TopicIndex(ChangeSignals.Catalog));
        });
        app.MapGet("/v1/catalog/node/{node}", async (HttpContext context, string node) =>
        {
            var filter = ConsulRequestFilters.Filter(context, ConsulJsonContext.Default.AgentService); // on the node's services
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Catalog);
            var index = store.TopicIndex(ChangeSignals.Catalog);
            if (node != store.NodeName)
            {
                await ConsulHttpApi.WriteAsync(context, null, ConsulJsonContext.Default.CatalogNodeServices, index); // Consul: 200 and null
                return;
            }

            var services = filter.Keep(WithServer(store, store.AgentServices()).Select(s => KeyValuePair.Create(s.Id, ConsulRoutes.ToAgentService(store, s))),
                ConsulJsonContext.Default.AgentService);
            await ConsulHttpApi.WriteAsync(context, new CatalogNodeServices { Node = EmbeddedNode.Describe(store), Services = services },
                ConsulJsonContext.Default.CatalogNodeServices, index);
        });

        app.MapGet("/v1/health/checks/{service}", async (HttpContext context, string service) =>
        {
            var filter = ConsulRequestFilters.Filter(context, ConsulJsonContext.Default.HealthCheck);
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Service(service));
            var (index, instances) = store.Instances(service);
            var checks = EmbeddedNode.Checks(store, ConsulRequestFilters.OnMatchingNode(context, store, instances));
            await ConsulHttpApi.WriteAsync(context, filter.Keep(checks, ConsulJsonContext.Default.HealthCheck), ConsulJsonContext.Default.ListHealthCheck, index);
        });
        app.MapGet("/v1/health/node/{node}", async (HttpContext context, string node) =>
        {
            var filter = ConsulRequestFilters.Filter(context, ConsulJsonContext.Default.HealthCheck);
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Health);
            var checks = node == store.NodeName ? NodeChecks(store) : [];
            await ConsulHttpApi.WriteAsync(context, filter.Keep(checks, ConsulJsonContext.Default.HealthCheck), ConsulJsonContext.Default.ListHealthCheck,
                store.TopicIndex(ChangeSignals.Health));
        });
        app.MapGet("/v1/health/state/{state}", async (HttpContext context, string state) =>
        {
            if (!States.Contains(state, StringComparer.Ordinal))
            {
                await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status400BadRequest,
                    $"Invalid check state '{state}': expected any, passing, warning or critical");
                return;
            }

            var filter = ConsulRequestFilters.Filter(context, ConsulJsonContext.Default.HealthCheck);
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Health);
            var checks = ConsulRequestFilters.OnMatchingNode(context, store, NodeChecks(store)).Where(c => state == "any" || c.Status == state);
            await ConsulHttpApi.WriteAsync(context, filter.Keep(checks, ConsulJsonContext.Default.HealthCheck), ConsulJsonContext.Default.ListHealthCheck,
                store.TopicIndex(ChangeSignals.Health));
        });
    }

    // The node's services as the catalog holds them: the server's "consul" too, unless a registration took its ID.
    private static IEnumerable<ServiceRecord> WithServer(RegistryStore store, IReadOnlyList<ServiceRecord> services) =>
        services.Any(s => s.Id == EmbeddedNode.Server(store).Service.Id) ? services : services.Prepend(EmbeddedNode.Server(store).Service);

    // The node's own checks first, then every service check, as Consul lists a node's checks.
    private static IEnumerable<HealthCheck> NodeChecks(RegistryStore store) => LocalChecks(store).Prepend(EmbeddedNode.SerfHealth(store));

    // What the agent itself holds (agent/checks): serfHealth belongs to the cluster, not to the agent's local state.
    private static IEnumerable<HealthCheck> LocalChecks(RegistryStore store) =>
        EmbeddedNode.NodeChecks(store, store.NodeChecks()).Concat(EmbeddedNode.Checks(store, store.AllInstances()));
}
