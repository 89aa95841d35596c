using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceMesh.Configuration;
using ServiceMesh.Health;

namespace ServiceMesh.Api;

/// <summary>GET /health, /ready, / (service info), /openapi.json and /docs. Read-only, so open without a token.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthProbe();
        app.MapGet("/ready", Ready).WithDescription("200 once serving and no component is unhealthy");
        app.MapGet("/", Info).WithDescription("Service information and this list of endpoints");
        app.MapGet("/docs", (EndpointDataSource endpoints) => TypedResults.Content(DocsPage.Render(ApiRoutes.From(endpoints)), "text/html; charset=utf-8"))
            .WithDescription("This API as a readable page (self-contained: works offline)");
        return app;
    }

    /// <summary>GET /health alone: also served on the embedded Consul port, where the platform's scripts call it.</summary>
    public static IEndpointRouteBuilder MapHealthProbe(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Health).WithDescription("Health of every component; 200 when healthy or degraded (status and reasons in the body), 503 when unhealthy");
        return app;
    }

    // 503 means unhealthy only: a degraded mesh still serves (Consul treats "warning" as passing too), and
    // `curl -f` checks and the image's HEALTHCHECK must not call a serving container down.
    private static async Task<JsonHttpResult<HealthResponse>> Health(HealthEvaluator evaluator, CancellationToken cancellationToken)
    {
        var report = await evaluator.EvaluateAsync(cancellationToken).ConfigureAwait(false);
        var body = new HealthResponse(
            Name(report.Status), BuildInfo.ServiceName, BuildInfo.Version,
            report.Components.ToDictionary(c => c.Key, c => new ComponentResponse(Name(c.Value.Status), c.Value.Detail), StringComparer.Ordinal));
        return TypedResults.Json(body, ApiJsonContext.Api.HealthResponse,
            statusCode: report.Status != ComponentStatus.Unhealthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    // Ready unless a component is unhealthy: degraded is ready. Starting and stopping are the "host" component's
    // Unhealthy states, so one rule covers them too. The status code follows /health's; the body is one line of reasons.
    private static async Task<JsonHttpResult<ReadyResponse>> Ready(HealthEvaluator evaluator, CancellationToken cancellationToken)
    {
        var report = await evaluator.EvaluateAsync(cancellationToken).ConfigureAwait(false);
        var unhealthy = report.Components.Where(c => c.Value.Status == ComponentStatus.Unhealthy).Select(c => $"{c.Key}: {c.Value.Detail}").ToList();
        var ready = unhealthy.Count == 0;
        var body = ready ? new ReadyResponse("ready", "serving") : new ReadyResponse("not-ready", string.Join("; ", unhealthy));
        return TypedResults.Json(body, ApiJsonContext.Api.ReadyResponse, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static JsonHttpResult<ServiceInfoResponse> Info(EndpointDataSource endpoints, MeshOptions options)
    {
        var list = ApiRoutes.From(endpoints).Select(r => new EndpointInfo(r.Method, r.Path, r.Description, r.RequiresToken)).ToList();
        var body = new ServiceInfoResponse(BuildInfo.ServiceName, BuildInfo.Version,
            options.DiscoveryMode.ToString().ToLowerInvariant(), options.TrustDomain, list);
        return TypedResults.Json(body, ApiJsonContext.Api.ServiceInfoResponse);
    }

    private static string Name(ComponentStatus status) => status.ToString().ToLowerInvariant();
}
