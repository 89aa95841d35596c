using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceMesh.Envoy.Api;

/// <summary>POST /envoy/configs/{svc}: the Lucid body, plus optional mesh fields.</summary>
internal sealed record EnvoyConfigRequest(
    [property: JsonPropertyName("service_address")] string? ServiceAddress,
    [property: JsonPropertyName("service_port")] int? ServicePort,
    [property: JsonPropertyName("upstreams")] IReadOnlyList<EnvoyUpstreamRequest>? Upstreams,
    [property: JsonPropertyName("protocol")] string? Protocol,
    [property: JsonPropertyName("public_port")] int? PublicPort,
    [property: JsonPropertyName("admin_port"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? AdminPort = null,
    [property: JsonPropertyName("prometheus_port"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PrometheusPort = null,
    [property: JsonPropertyName("ready_port"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ReadyPort = null);

internal sealed record EnvoyUpstreamRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("local_bind_port")] int? LocalBindPort);

internal sealed record EnvoyUpstreamResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("local_bind_port")] int LocalBindPort,
    [property: JsonPropertyName("spiffe_id")] string SpiffeId,
    [property: JsonPropertyName("endpoints")] IReadOnlyList<string> Endpoints);

/// <summary>One sidecar: the earlier API's fields (status only on POST), then ours.</summary>
internal sealed record EnvoyServiceResponse(
    [property: JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Status,
    [property: JsonPropertyName("service_name")] string ServiceName,
    [property: JsonPropertyName("config_path")] string ConfigPath,
    [property: JsonPropertyName("service_address")] string ServiceAddress,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("protocol")] string Protocol,
    [property: JsonPropertyName("service_port")] int ServicePort,
    [property: JsonPropertyName("public_port")] int PublicPort,
    [property: JsonPropertyName("admin_port")] int AdminPort,
    [property: JsonPropertyName("prometheus_port")] int PrometheusPort,
    [property: JsonPropertyName("ready_port")] int ReadyPort,
    [property: JsonPropertyName("stats_bind_address")] string StatsBindAddress,
    [property: JsonPropertyName("spiffe_id")] string SpiffeId,
    [property: JsonPropertyName("allowed_callers")] IReadOnlyList<string> AllowedCallers,
    [property: JsonPropertyName("upstreams")] IReadOnlyList<EnvoyUpstreamResponse> Upstreams,
    [property: JsonPropertyName("bootstrap")] string Bootstrap,
    [property: JsonPropertyName("files")] IReadOnlyList<string> Files,
    [property: JsonPropertyName("warnings")] IReadOnlyList<string> Warnings);

/// <summary><c>configs</c> and <c>count</c> as the earlier API listed them; <c>services</c> holds the same items (kept for our callers).</summary>
internal sealed record EnvoyConfigListResponse(
    [property: JsonPropertyName("configs")] IReadOnlyList<EnvoyServiceResponse> Configs,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("layout")] string Layout,
    [property: JsonPropertyName("config_path")] string ConfigPath,
    [property: JsonPropertyName("generated_at")] DateTimeOffset? GeneratedAt,
    [property: JsonPropertyName("services")] IReadOnlyList<EnvoyServiceResponse> Services,
    [property: JsonPropertyName("excluded")] IReadOnlyList<EnvoyExcludedResponse> Excluded);

/// <summary>A service put forward as a mesh member (e.g. the Consul <c>mesh</c> tag) that may not be one, and why.</summary>
internal sealed record EnvoyExcludedResponse(
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary><c>content</c> is the bootstrap's text (the earlier API's one file); <c>files</c> every file of the sidecar.</summary>
internal sealed record EnvoyContentResponse(
    [property: JsonPropertyName("service_name")] string ServiceName,
    [property: JsonPropertyName("content")] string Content,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("files")] IReadOnlyDictionary<string, string> Files);

internal sealed record EnvoyDeletedResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("service_name")] string ServiceName);

/// <summary>Source-generated JSON for the /envoy/configs routes (no reflection under Native AOT).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EnvoyConfigRequest))]
[JsonSerializable(typeof(EnvoyServiceResponse))]
[JsonSerializable(typeof(EnvoyConfigListResponse))]
[JsonSerializable(typeof(EnvoyContentResponse))]
[JsonSerializable(typeof(EnvoyDeletedResponse))]
internal sealed partial class EnvoyJsonContext : JsonSerializerContext;
