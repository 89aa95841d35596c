using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using ServiceMesh.Configuration;
using ServiceMesh.Health;

namespace ServiceMesh.Metrics;

/// <summary>
/// Prometheus text at GET /metrics via OpenTelemetry's exporter (AOT-annotated; publish is warning-free).
/// HTTP requests by route and status come from ASP.NET Core's built-in meters, process/GC figures from the
/// runtime's "System.Runtime" meter; capabilities add instruments on meters named "ServiceMesh.*".
/// </summary>
internal static class MetricsExtensions
{
    public const string MeterName = "ServiceMesh";

    public static IHostApplicationBuilder AddMeshMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HealthMetrics>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(BuildInfo.ServiceName, serviceVersion: BuildInfo.Version))
            .WithMetrics(metrics => metrics
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime", MeterName, MeterName + ".*")
            // No scrape cache: the exporter's default 300 ms cache would show counters older than the request.
            .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

    public static IEndpointRouteBuilder MapMeshMetrics(this IEndpointRouteBuilder app)
    {
        app.ServiceProvider.GetRequiredService<HealthMetrics>(); // creates the gauge
        app.MapPrometheusScrapingEndpoint("/metrics").WithDescription(Description);
        return app;
    }

    /// <summary>
    /// The same /metrics on another web app of this process (the embedded Consul port, which Lucid's Prometheus job
    /// scrapes): the same exporter of the host's <paramref name="meterProvider"/>, so both ports give the same figures.
    /// </summary>
    public static IEndpointRouteBuilder MapMeshMetrics(this IEndpointRouteBuilder app, MeterProvider meterProvider)
    {
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider, configureBranchedPipeline: null, optionsName: null).WithDescription(Description);
        return app;
    }

    private const string Description = "Prometheus metrics (text exposition format)";
}

/// <summary>
/// service_mesh_component_healthy{component}: 1 when healthy, 0 otherwise. Kept components as they are at the scrape,
/// the others (whose checks may block) as the latest /health evaluation found them.
/// </summary>
internal sealed class HealthMetrics
{
    public HealthMetrics(IMeterFactory meterFactory, HealthEvaluator evaluator)
    {
        var meter = meterFactory.Create(MetricsExtensions.MeterName);
        meter.CreateObservableGauge("service_mesh.component.healthy", () =>
            evaluator.Current().Select(c =>
                new Measurement<int>(c.Health.Status == ComponentStatus.Healthy ? 1 : 0, new KeyValuePair<string, object?>("component", c.Name))),
            description: "1 when the component is healthy (as of the last health check for components checked by probing), 0 otherwise");
    }
}
