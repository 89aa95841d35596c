using Microsoft.AspNetCore.Http.Metadata;
using ServiceMesh.Http;

namespace ServiceMesh.Api;

/// <summary>One method on one route, as GET /, /openapi.json and /docs describe it.</summary>
internal sealed record ApiRoute(string Method, string Path, string Description, bool RequiresToken, IReadOnlyList<string> PathParameters);

/// <summary>
/// The one route table every description is generated from: the endpoints actually mapped (their patterns, methods,
/// <c>WithDescription</c> text and token metadata), so a route cannot be served and left out, or listed and not served.
/// </summary>
internal static class ApiRoutes
{
    /// <remarks>A route for any method (/metrics) is listed as the GET it is used with.</remarks>
    public static IReadOnlyList<ApiRoute> From(EndpointDataSource endpoints) => endpoints.Endpoints.OfType<RouteEndpoint>()
        .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new ApiRoute(
            method, PathOf(e),
            e.Metadata.GetMetadata<IEndpointDescriptionMetadata>()?.Description ?? "",
            e.Metadata.GetMetadata<RequiresMeshTokenMetadata>() is not null,
            [.. e.RoutePattern.Parameters.Select(p => p.Name)])))
        .DistinctBy(r => (r.Method, r.Path))
        .OrderBy(r => r.Path, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
        .ToList();

    // "/certificates/{svc?}" -> "/certificates/{svc}", "/envoy/configs/" -> "/envoy/configs": OpenAPI's template form.
    private static string PathOf(RouteEndpoint endpoint)
    {
        var raw = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
        var path = raw.Replace("?}", "}", StringComparison.Ordinal).Replace("{**", "{", StringComparison.Ordinal).Replace("{*", "{", StringComparison.Ordinal);
        foreach (var parameter in endpoint.RoutePattern.Parameters.Where(p => p.ParameterPolicies.Count > 0))
        {
            var start = path.IndexOf("{" + parameter.Name + ":", StringComparison.Ordinal);
            if (start >= 0)
            {
                path = path[..start] + "{" + parameter.Name + "}" + path[(path.IndexOf('}', start) + 1)..];
            }
        }
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }
}
