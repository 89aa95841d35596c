using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using ServiceMesh.Api;
using ServiceMesh.Discovery.Server;
using ServiceMesh.Health;
using ServiceMesh.Metrics;

namespace ServiceMesh.Hosting;

/// <summary>
/// GET /health and GET /metrics on the embedded Consul ports too (8500, 8501), where the Lucid platform's scripts
/// (`SERVICE_MESH_HEALTH_URL`, validate-phase2-containers.sh) and its Prometheus job call them; same handlers as on
/// HTTP_PORT. No effect in DISCOVERY_MODE=consul (nothing listens on 8500).
/// </summary>
internal static class ConsulPortProbes
{
    public static IHostApplicationBuilder AddProbesOnConsulPort(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new ConsulPortAdditions(
            services => services.AddSingleton(sp.GetRequiredService<HealthEvaluator>()),
            routes =>
            {
                routes.MapHealthProbe();
                routes.MapMeshMetrics(sp.GetRequiredService<MeterProvider>());
            }));
        return builder;
    }
}
