using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceMesh.Http;
using ServiceMesh.Metrics;

namespace ServiceMesh.Api;

internal static class ApiExtensions
{
    public static IHostApplicationBuilder AddMeshApi(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Api));
        builder.Services.AddMeshOpenApi();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        return builder;
    }

    /// <summary>Error handling for every route (problem details for 4xx/5xx, 413 over 1 MiB), then the routes.</summary>
    public static WebApplication UseMeshApi(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = Problems.StatusFor });
        app.UseStatusCodePages();
        app.Use(Problems.RejectOversizedBodies);
        app.UseRouting();
        app.MapHealthEndpoints();
        app.MapMeshOpenApi();
        app.MapMeshMetrics();
        return app;
    }
}
