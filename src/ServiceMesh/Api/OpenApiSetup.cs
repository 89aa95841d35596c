using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using ServiceMesh.Configuration;

namespace ServiceMesh.Api;

/// <summary>
/// GET /openapi.json via Microsoft.AspNetCore.OpenApi (AOT-clean in .NET 10). Transformers add what the generator
/// misses: the token requirement, operationIds, problem responses, and the routes it skips (no HTTP method like
/// /metrics, or excluded like the document itself), taken from <see cref="ApiRoutes"/> so every served route is listed.
/// </summary>
internal static class OpenApiSetup
{
    public const string Path = "/openapi.json";

    public static IServiceCollection AddMeshOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer((document, context, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = BuildInfo.ServiceName,
                Version = BuildInfo.Version,
                Description = "Service discovery, mTLS certificates and Envoy sidecar configuration. GET /docs is the readable form of this document.",
            };
            document.Servers = []; // relative to wherever it was fetched from, not the Host header of one request
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer",
                Description = "The value of SERVICE_MESH_API_TOKEN; the routes are open when it is not set",
            };
            AddMissingRoutes(document, ApiRoutes.From(context.ApplicationServices.GetRequiredService<EndpointDataSource>()));
            foreach (var (path, item) in document.Paths)
            {
                foreach (var (method, operation) in item.Operations ?? [])
                {
                    Complete(document, operation, method.Method, path, RequiresToken(context, method.Method, path));
                }
            }

            return Task.CompletedTask;
        });
    });

    public static IEndpointConventionBuilder MapMeshOpenApi(this WebApplication app) =>
        app.MapOpenApi(Path).WithDescription("This API as an OpenAPI 3.1 document, generated from the routes served");

    private static void AddMissingRoutes(OpenApiDocument document, IReadOnlyList<ApiRoute> routes)
    {
        document.Paths ??= [];
        foreach (var route in routes)
        {
            if (!document.Paths.TryGetValue(route.Path, out var item))
            {
                document.Paths[route.Path] = item = new OpenApiPathItem();
            }

            var concrete = (OpenApiPathItem)item;
            concrete.Operations ??= [];
            var method = new HttpMethod(route.Method);
            if (concrete.Operations.ContainsKey(method))
            {
                continue;
            }

            concrete.Operations[method] = new OpenApiOperation
            {
                Description = route.Description,
                Parameters = [.. route.PathParameters.Select(p => (IOpenApiParameter)new OpenApiParameter
                {
                    Name = p, In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                })],
                Responses = new OpenApiResponses { ["200"] = new OpenApiResponse { Description = "OK" } },
            };
        }
    }

    private static bool RequiresToken(OpenApiDocumentTransformerContext context, string method, string path) =>
        ApiRoutes.From(context.ApplicationServices.GetRequiredService<EndpointDataSource>()).Any(r => r.Method == method && r.Path == path && r.RequiresToken);

    private static void Complete(OpenApiDocument document, OpenApiOperation operation, string method, string path, bool requiresToken)
    {
        operation.OperationId ??= OperationId(method, path);
        operation.Responses ??= [];
        operation.Responses["default"] = new OpenApiResponse
        {
            Description = "An error: application/problem+json with a string detail; a 422 has detail as a list of {loc, msg, type} and the sentence in summary",
        };
        if (!requiresToken)
        {
            return;
        }

        operation.Responses["401"] = new OpenApiResponse { Description = "SERVICE_MESH_API_TOKEN is set and the request has no matching 'Authorization: Bearer' header" };
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
    }

    // "GET /envoy/configs/{svc}/content" -> "get_envoy_configs_svc_content": unique per method and path.
    private static string OperationId(string method, string path)
    {
        var id = new StringBuilder(method.ToLowerInvariant());
        foreach (var c in path)
        {
            var next = char.IsAsciiLetterOrDigit(c) ? c : '_';
            if (next != '_' || id[^1] != '_')
            {
                id.Append(next);
            }
        }
        return id.ToString().TrimEnd('_');
    }
}
