using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// Routes of the mesh's own API that the composition root also serves on the embedded Consul port (GET /health and
/// GET /metrics: the Lucid platform's scripts and Prometheus job call them on 8500), with the host's singletons
/// their handlers need. Given from outside so Discovery stays unaware of the API and metrics capabilities.
/// </summary>
/// <param name="Services">Adds the host's instances (not new ones) to the Consul app's services.</param>
/// <param name="Routes">Maps the routes, with the same handlers as on HTTP_PORT.</param>
internal sealed record ConsulPortAdditions(Action<IServiceCollection> Services, Action<IEndpointRouteBuilder> Routes);
