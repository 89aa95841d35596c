using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using ServiceMesh.Health;
using ServiceMesh.Hosting;

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

/// <summary>service_mesh_component_healthy{component}: 1 when healthy, 0 otherwise, from the latest /health evaluation.</summary>
internal sealed class HealthMetrics
{
    public HealthMetrics(IMeterFactory meterFactory, HealthEvaluator evaluator)
    {
        var meter = meterFactory.Create(MetricsExtensions.MeterName);
        meter.CreateObservableGauge("service_mesh.component.healthy", () =>
            (evaluator.Last?.Components ?? new Dictionary<string, ComponentHealth>()).Select(c =>
                new Measurement<int>(c.Value.Status == ComponentStatus.Healthy ? 1 : 0, new KeyValuePair<string, object?>("component", c.Key))),
            description: "1 when the component was healthy at the last health check, 0 otherwise");
    }
}
