using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Discovery.Server.Filtering;
using ServiceMesh.Http;
using ServiceMesh.Storage;

namespace ServiceMesh.Discovery.Server;

/// <summary>The Consul HTTP API subset the embedded registry serves (agent, catalog, health, kv, status), in Consul's shapes.</summary>
internal static class ConsulRoutes
{
    public static void MapConsulApi(this IEndpointRouteBuilder app, RegistryStore store, string? token)
    {
        app.MapPut("/v1/agent/service/register", context => Guarded(context, token, async () =>
        {
            var (registration, problem) = await JsonBody.ReadAsync(context.Request, ConsulJsonContext.Default.AgentServiceRegistration, context.RequestAborted);
            if (problem is not null)
            {
                await ConsulHttpApi.ErrorAsync(context, problem.Status, $"Request decode failed: {problem}");
                return;
            }
            if (await store.RegisterAsync(registration!, context.RequestAborted) is { } error)
            {
                await ConsulHttpApi.ErrorAsync(context, 400, $"Invalid service: {error}");
            }
        }));
        app.MapPut("/v1/agent/service/deregister/{id}", (HttpContext context, string id) => Guarded(context, token, async () =>
        {
            if (!await store.DeregisterAsync(id, context.RequestAborted))
            {
                await ConsulHttpApi.ErrorAsync(context, 404, $"Unknown service ID \"{id}\". Ensure that the service ID is passed, not the service name.");
            }
        }));
        app.MapGet("/v1/agent/services", context =>
        {
            var filter = ConsulRequestFilters.Filter(context, ConsulJsonContext.Default.AgentService);
            var services = store.AgentServices().Select(s => KeyValuePair.Create(s.Id, ToAgentService(store, s)));
            return ConsulHttpApi.WriteAsync(context, filter.Keep(services, ConsulJsonContext.Default.AgentService), ConsulJsonContext.Default.DictionaryStringAgentService);
        });
        app.MapGet("/v1/catalog/services", async context =>
        {
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Catalog);
            var (index, services) = store.CatalogServices();
            services.TryAdd(EmbeddedNode.Server(store).Service.Name, []);
            var body = ConsulRequestFilters.NodeMetaMatches(context, store) ? new Dictionary<string, string[]>(services, StringComparer.Ordinal) : [];
            await ConsulHttpApi.WriteAsync(context, body, ConsulJsonContext.Default.DictionaryStringStringArray, index);
        });
        app.MapGet("/v1/catalog/service/{name}", async (HttpContext context, string name) =>
        {
            var filter = ConsulRequestFilters.Filter(context, ConsulJsonContext.Default.CatalogServiceNode);
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Service(name));
            var (index, instances) = EmbeddedNode.Instances(store, name);
            var node = EmbeddedNode.Describe(store);
            var body = ConsulRequestFilters.OnMatchingNode(context, store, Tagged(context, instances)).Select(i => ToCatalogNode(store, node, i.Service));
            await ConsulHttpApi.WriteAsync(context, filter.Keep(body, ConsulJsonContext.Default.CatalogServiceNode), ConsulJsonContext.Default.ListCatalogServiceNode, index);
        });
        app.MapGet("/v1/health/service/{name}", async (HttpContext context, string name) =>
        {
            var filter = ConsulRequestFilters.Filter(context, ConsulJsonContext.Default.ServiceEntry);
            await ConsulHttpApi.BlockAsync(context, store, ChangeSignals.Service(name));
            var (index, instances) = EmbeddedNode.Instances(store, name);
            var passingOnly = ConsulHttpApi.Flag(context, "passing") && context.Request.Query["passing"] is var p && p.ToString() is not ("false" or "0");
            var body = ConsulRequestFilters.OnMatchingNode(context, store, Tagged(context, instances))
                .Where(i => !passingOnly || i.AggregatedStatus == HealthStatuses.Passing).Select(i => ToEntry(store, i));
            await ConsulHttpApi.WriteAsync(context, filter.Keep(body, ConsulJsonContext.Default.ServiceEntry), ConsulJsonContext.Default.ListServiceEntry, index);
        });
        app.MapConsulKv(store, token);
        app.MapConsulSessions(store, token);
        app.MapConsulTxn(store, token);
        app.MapConsulChecks(store, token);
        app.MapConsulCatalogWrites(store, token);
        app.MapConsulNodeApi(store);
        app.MapConsulEvents(store, new UserEventRing(store.Time), token);
        app.MapGet("/v1/status/leader", context => ConsulHttpApi.WriteAsync(context, $"{store.NodeAddress}:8300", ConsulJsonContext.Default.String));
    }

    // A write needs the token; one the registry could not make durable (a full disk) is refused with 503 and the reason
    // as plain text, as Consul answers errors, and nothing of it became visible.
    internal static async Task Guarded(HttpContext context, string? token, Func<Task> write)
    {
        if (!ConsulHttpApi.MayWrite(context, token))
        {
            await ConsulHttpApi.ErrorAsync(context, 403, "Permission denied: send the SERVICE_MESH_API_TOKEN as X-Consul-Token");
            return;
        }
        try
        {
            await write();
        }
        catch (StorageUnavailableException e) when (!context.Response.HasStarted)
        {
            await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message);
        }
    }

    // ?tag= may repeat: an instance must carry every tag asked for (Consul 1.9+).
    private static IEnumerable<InstanceView> Tagged(HttpContext context, IEnumerable<InstanceView> instances)
    {
        var tags = context.Request.Query["tag"].Where(t => !string.IsNullOrEmpty(t)).ToList();
        return tags.Count == 0 ? instances : instances.Where(i => tags.All(tag => i.Service.Tags.Contains(tag!, StringComparer.Ordinal)));
    }

    public static AgentService ToAgentService(RegistryStore store, ServiceRecord s) => new()
    {
        Id = s.Id, Service = s.Name, Tags = s.Tags, Meta = s.Registration.Meta ?? new Dictionary<string, string>(),
        Port = s.Registration.Port, Address = s.Registration.Address ?? "", Datacenter = store.Datacenter,
        Kind = s.Registration.Kind is { Length: > 0 } kind ? kind : null, EnableTagOverride = s.Registration.EnableTagOverride ?? false,
        Weights = s.Registration.Weights ?? new(), TaggedAddresses = s.Registration.TaggedAddresses, Proxy = s.Registration.Proxy,
        Connect = s.Registration.Connect, CreateIndex = s.CreateIndex, ModifyIndex = s.ModifyIndex,
    };

    private static CatalogServiceNode ToCatalogNode(RegistryStore store, CatalogNode node, ServiceRecord s) => new()
    {
        Node = store.NodeName, Address = store.NodeAddress, Datacenter = store.Datacenter,
        TaggedAddresses = node.TaggedAddresses, NodeMeta = node.Meta, ServiceId = s.Id, ServiceName = s.Name, ServiceAddress = s.Registration.Address ?? "", ServicePort = s.Registration.Port,
        ServiceTags = s.Tags, ServiceMeta = s.Registration.Meta ?? new Dictionary<string, string>(),
        ServiceKind = s.Registration.Kind is { Length: > 0 } kind ? kind : null, ServiceEnableTagOverride = s.Registration.EnableTagOverride ?? false,
        ServiceWeights = s.Registration.Weights ?? new(), ServiceTaggedAddresses = s.Registration.TaggedAddresses,
        ServiceProxy = s.Registration.Proxy, ServiceConnect = s.Registration.Connect, Id = EmbeddedNode.Id(store),
        CreateIndex = s.CreateIndex, ModifyIndex = s.ModifyIndex,
    };

    private static ServiceEntry ToEntry(RegistryStore store, InstanceView i) => new()
    {
        Node = EmbeddedNode.InEntry(store),
        Service = ToAgentService(store, i.Service),
        // Node checks registered alone first, as Consul lists them. Consul's serfHealth is left out here: the platform's
        // callers take Checks[0] as the service's own health, and an always-passing first check would hide a failing one.
        Checks = [.. EmbeddedNode.NodeChecks(store, i.NodeChecks), .. EmbeddedNode.Checks(store, [i])],
    };
}
