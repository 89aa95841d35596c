using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceMesh.Api;

internal sealed record ComponentResponse(string Status, string Detail);

internal sealed record HealthResponse(string Status, string Service, string Version, IReadOnlyDictionary<string, ComponentResponse> Components);

internal sealed record ReadyResponse(string Status, string Detail);

internal sealed record EndpointInfo(string Method, string Path, string Description, bool RequiresToken);

internal sealed record ServiceInfoResponse(string Service, string Version, string DiscoveryMode, string TrustDomain, IReadOnlyList<EndpointInfo> Endpoints);

/// <summary>Source-generated JSON for every API body: no reflection-based serialisation on any path (Native AOT).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(ServiceInfoResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext
{
    /// <summary>The context the API writes with: web defaults, and '+' in versions left readable rather than \u002B.</summary>
    public static ApiJsonContext Api { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
