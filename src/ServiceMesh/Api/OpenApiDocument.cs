using System.Text;
using System.Text.Json;
using ServiceMesh.Hosting;

namespace ServiceMesh.Api;

/// <summary>
/// GET /openapi.json: an OpenAPI 3.1 document written from <see cref="ApiRoutes"/> with a Utf8JsonWriter (no
/// reflection, no document model package: AOT-clean by construction). Bodies are described in each operation's text.
/// </summary>
internal static class OpenApiDocument
{
    public static byte[] Write(IReadOnlyList<ApiRoute> routes)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("openapi", "3.1.0");
            json.WriteStartObject("info");
            json.WriteString("title", BuildInfo.ServiceName);
            json.WriteString("version", BuildInfo.Version);
            json.WriteString("description", "Service discovery, mTLS certificates and Envoy sidecar configuration. GET /docs is the readable form of this document.");
            json.WriteEndObject();
            json.WriteStartObject("paths");
            foreach (var path in routes.GroupBy(r => r.Path, StringComparer.Ordinal))
            {
                json.WriteStartObject(path.Key);
                foreach (var route in path)
                    Operation(json, route);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            Components(json);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Operation(Utf8JsonWriter json, ApiRoute route)
    {
        json.WriteStartObject(route.Method.ToLowerInvariant());
        json.WriteString("operationId", OperationId(route));
        json.WriteString("summary", route.Description.Length == 0 ? $"{route.Method} {route.Path}" : route.Description);
        if (route.PathParameters.Count > 0)
        {
            json.WriteStartArray("parameters");
            foreach (var name in route.PathParameters)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("in", "path");
                json.WriteBoolean("required", true);
                json.WriteStartObject("schema");
                json.WriteString("type", "string");
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (route.Method is "POST" or "PUT")
        {
            json.WriteStartObject("requestBody");
            json.WriteBoolean("required", false);
            json.WriteStartObject("content");
            json.WriteStartObject("application/json");
            json.WriteStartObject("schema");
            json.WriteString("type", "object");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteStartObject("responses");
        Response(json, "200", "Success", "application/json");
        if (route.RequiresToken)
            Response(json, "401", "SERVICE_MESH_API_TOKEN is set and the request has no matching 'Authorization: Bearer' header", "application/problem+json");
        Response(json, "default", "An error: problem+json with a string detail; 422 has detail as a list of {loc, msg, type}", "application/problem+json");
        json.WriteEndObject();
        if (route.RequiresToken)
        {
            json.WriteStartArray("security");
            json.WriteStartObject();
            json.WriteStartArray("bearer");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    private static void Response(Utf8JsonWriter json, string status, string description, string mediaType)
    {
        json.WriteStartObject(status);
        json.WriteString("description", description);
        json.WriteStartObject("content");
        json.WriteStartObject(mediaType);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Components(Utf8JsonWriter json)
    {
        json.WriteStartObject("components");
        json.WriteStartObject("securitySchemes");
        json.WriteStartObject("bearer");
        json.WriteString("type", "http");
        json.WriteString("scheme", "bearer");
        json.WriteString("description", "The value of SERVICE_MESH_API_TOKEN; routes are open when it is not set");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    // "GET /envoy/configs/{svc}/content" -> "get_envoy_configs_svc_content": unique per method and path.
    private static string OperationId(ApiRoute route)
    {
        var id = new StringBuilder(route.Method.ToLowerInvariant());
        foreach (var c in route.Path)
            id.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return id.ToString().TrimEnd('_').Replace("__", "_", StringComparison.Ordinal);
    }
}
