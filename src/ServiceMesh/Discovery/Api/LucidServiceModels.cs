using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceMesh.Discovery.Api;

/// <summary>POST /services/register, in Lucid's snake_case names.</summary>
internal sealed record RegisterServiceRequest(string? ServiceName, string? ServiceAddress, int? ServicePort, string? HealthCheckUrl, IReadOnlyList<string>? Tags);

internal sealed record ServiceSummary(string Name, string Address, int Port, IReadOnlyList<string> Tags, string ServiceId, string Status);

internal sealed record ServiceListResponse(IReadOnlyList<ServiceSummary> Services, int Count);

internal sealed record ServiceInstanceResponse(string Address, int Port, string ServiceId, IReadOnlyList<string> Tags);

/// <summary>The earlier API's <c>{status, service_name}</c>, then ours.</summary>
internal sealed record RegisteredResponse(string Status, string ServiceName, string ServiceId, string Name, string Address, int Port, IReadOnlyList<string> Tags);

internal sealed record DeregisteredResponse(string Status, string ServiceName, string Name, int Deregistered);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RegisterServiceRequest))]
[JsonSerializable(typeof(ServiceListResponse))]
[JsonSerializable(typeof(ServiceInstanceResponse))]
[JsonSerializable(typeof(RegisteredResponse))]
[JsonSerializable(typeof(DeregisteredResponse))]
internal sealed partial class LucidJsonContext : JsonSerializerContext;
