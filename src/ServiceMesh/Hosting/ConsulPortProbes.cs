using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using ServiceMesh.Api;
using ServiceMesh.Discovery.Server;
using ServiceMesh.Health;
using ServiceMesh.Metrics;

namespace ServiceMesh.Hosting;

/// <summary>
/// GET /health and GET /metrics on the embedded Consul port too (8500 and 8501): the Lucid platform's scripts
/// (`SERVICE_MESH_HEALTH_URL`, validate-phase2-containers.sh) and its Prometheus job call them there. Same handlers,
/// same evaluator and same exporter as on HTTP_PORT, so both ports answer alike. In DISCOVERY_MODE=consul nothing
/// listens on 8500, and this has no effect.
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
