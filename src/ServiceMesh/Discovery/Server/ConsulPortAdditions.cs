using Microsoft.Extensions.DependencyInjection;

namespace ServiceMesh.Discovery.Server;

/// <summary>/health and /metrics on 8500 too (Lucid calls them there); injected so Discovery stays API-unaware.</summary>
/// <param name="Services">Adds the host's instances (not new ones) to the Consul app's services.</param>
/// <param name="Routes">Maps the routes, with the same handlers as on HTTP_PORT.</param>
internal sealed record ConsulPortAdditions(Action<IServiceCollection> Services, Action<IEndpointRouteBuilder> Routes);
