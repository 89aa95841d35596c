using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceMesh.Discovery.Api;

/// <summary>POST /services/register, in Lucid's snake_case names.</summary>
internal sealed record RegisterServiceRequest(string? ServiceName, string? ServiceAddress, int? ServicePort, string? HealthCheckUrl, IReadOnlyList<string>? Tags);

internal sealed record ServiceSummary(string Name, string Address, int Port, IReadOnlyList<string> Tags, string ServiceId, string Status);

internal sealed record ServiceListResponse(IReadOnlyList<ServiceSummary> Services, int Count);

internal sealed record ServiceInstanceResponse(string Address, int Port, string ServiceId, IReadOnlyList<string> Tags);

internal sealed record RegisteredResponse(string ServiceId, string Name, string Address, int Port, IReadOnlyList<string> Tags);

internal sealed record DeregisteredResponse(string Name, int Deregistered);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RegisterServiceRequest))]
[JsonSerializable(typeof(ServiceListResponse))]
[JsonSerializable(typeof(ServiceInstanceResponse))]
[JsonSerializable(typeof(RegisteredResponse))]
[JsonSerializable(typeof(DeregisteredResponse))]
internal sealed partial class LucidJsonContext : JsonSerializerContext;
