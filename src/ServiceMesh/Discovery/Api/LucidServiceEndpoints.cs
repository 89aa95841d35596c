using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Http;

namespace ServiceMesh.Discovery.Api;

/// <summary>
/// Lucid's service routes on 8088, over an <see cref="ILucidServiceDirectory"/>: the registry store itself in embedded
/// mode, the Consul client and the catalog snapshot in consul mode. Either way a write is durable when answered and
/// the next read shows it (read-your-writes).
/// </summary>
internal static class LucidServiceEndpoints
{
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder app)
    {
        // The directory is a singleton chosen by DISCOVERY_MODE (AddDiscovery), resolved at the first request.
        app.MapGet("/services", (ILucidServiceDirectory directory) => List(directory))
            .WithDescription("Every registered service instance: {services: [{name, address, port, tags}], count}");
        app.MapGet("/services/{name}", (string name, ILucidServiceDirectory directory) => Find(directory, name))
            .WithDescription("One passing instance of the service {address, port, service_id, tags}, or 404");
        app.MapPost("/services/register", (HttpRequest request, ILucidServiceDirectory directory, DiscoverySettings settings, CancellationToken cancellationToken) =>
                RegisterAsync(request, directory, settings, cancellationToken)).RequireMeshToken()
            .WithDescription("Register {service_name, service_address, service_port, health_check_url?, tags?}: 200 {status: \"registered\", service_name, service_id, ...}; 422 when a value is wrong; 503 when it cannot be stored");
        app.MapDelete("/services/{name}", (string name, HttpContext context, ILucidServiceDirectory directory, CancellationToken cancellationToken) =>
                DeregisterAsync(name, context, directory, cancellationToken)).RequireMeshToken()
            .WithDescription("Deregister every instance of the service: {status: \"deregistered\", service_name, deregistered}");
        return app;
    }

    private static JsonHttpResult<ServiceListResponse> List(ILucidServiceDirectory directory)
    {
        var services = directory.List();
        return TypedResults.Json(new ServiceListResponse(services, services.Count), LucidJsonContext.Default.ServiceListResponse);
    }

    private static IResult Find(ILucidServiceDirectory directory, string name)
    {
        var instances = directory.Find(name);
        var passing = instances?.Where(i => i.Status == HealthStatuses.Passing).ToList() ?? [];
        if (passing.Count == 0)
        {
            return Problems.Result(StatusCodes.Status404NotFound, instances is null
                ? $"No service named '{name}' is registered. GET /services lists them."
                : $"Service '{name}' is registered but no instance is passing its health checks.");
        }

        var pick = passing[Random.Shared.Next(passing.Count)]; // spread callers over the passing instances
        return TypedResults.Json(new ServiceInstanceResponse(pick.Address, pick.Port, pick.ServiceId, pick.Tags), LucidJsonContext.Default.ServiceInstanceResponse);
    }

    private static async Task<IResult> RegisterAsync(HttpRequest request, ILucidServiceDirectory directory, DiscoverySettings settings, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await JsonBody.ReadAsync(request, LucidJsonContext.Default.RegisterServiceRequest, cancellationToken);
        if (bodyProblem is not null)
        {
            return Problems.Body(request.HttpContext, bodyProblem, $"The body is not valid JSON for a registration: {bodyProblem}.");
        }

        if (Validate(body, settings.CheckAllowedNetworks) is { } problem)
        {
            return Problems.Invalid(request.HttpContext, problem.Message, "body", [problem]);
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"{body!.ServiceName}-{body.ServiceAddress}-{body.ServicePort}");
        var registration = new AgentServiceRegistration
        {
            Id = id, Name = body.ServiceName!, Address = body.ServiceAddress, Port = body.ServicePort!.Value, Tags = body.Tags ?? [],
            Check = body.HealthCheckUrl is null ? null : new AgentServiceCheck { Http = body.HealthCheckUrl, Interval = "10s", Timeout = "5s" },
        };
        try
        {
            if (await directory.RegisterAsync(registration, cancellationToken) is { } refused)
            {
                return Problems.Invalid(request.HttpContext, refused, "body", [new FieldError("body", refused)]);
            }
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            return Unavailable(directory, $"The registration of '{registration.Name}'", e);
        }
        // 200 as the earlier API answered (not 201), with its {status, service_name} beside ours.
        return TypedResults.Json(new RegisteredResponse("registered", registration.Name, id, registration.Name, registration.Address!, registration.Port, registration.Tags!),
            LucidJsonContext.Default.RegisteredResponse);
    }

    private static async Task<IResult> DeregisterAsync(string name, HttpContext context, ILucidServiceDirectory directory, CancellationToken cancellationToken)
    {
        int removed;
        try { removed = await directory.DeregisterAsync(name, cancellationToken); }
        catch (Exception e) when (IsUnavailable(e)) { return Unavailable(directory, $"The deregistration of '{name}'", e); }
        if (removed == 0)
        {
            return Problems.Result(StatusCodes.Status404NotFound, $"No service named '{name}' is registered. GET /services lists them.");
        }

        return TypedResults.Json(new DeregisteredResponse("deregistered", name, name, removed), LucidJsonContext.Default.DeregisteredResponse);
    }

    /// <param name="checkNetworks">CHECK_ALLOWED_NETWORKS: judged here too, because an external Consul would probe anything.</param>
    /// <returns>The first value that is wrong (its field and a sentence naming the rule), or null.</returns>
    internal static FieldError? Validate(RegisterServiceRequest? body, AllowedNetworks checkNetworks)
    {
        if (body is null)
        {
            return new("body", "A JSON body {service_name, service_address, service_port, health_check_url?, tags?} is required.", "missing");
        }

        if (!ServiceName.IsValid(body.ServiceName, out var nameProblem))
        {
            return new("service_name", $"service_name: {nameProblem}.", body.ServiceName is null ? "missing" : "value_error");
        }

        if (!PortNumber.IsValid(body.ServicePort))
        {
            return new("service_port", $"service_port {body.ServicePort?.ToString(CultureInfo.InvariantCulture) ?? "(missing)"} must be {PortNumber.Rule}.",
                body.ServicePort is null ? "missing" : "value_error");
        }

        if (body.ServiceAddress is null || Uri.CheckHostName(body.ServiceAddress) == UriHostNameType.Unknown)
        {
            return new("service_address", $"service_address '{body.ServiceAddress}' must be an IP address or a host name.",
                body.ServiceAddress is null ? "missing" : "value_error");
        }

        if (body.HealthCheckUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            return new("health_check_url", $"health_check_url '{CheckTargets.Redact(url)}' must be an absolute http:// or https:// URL.");
        }

        if (body.HealthCheckUrl is { } target && CheckTargets.Refusal("health_check_url", CheckTargets.Redact(target), new Uri(target).Host, checkNetworks) is { } refused)
        {
            return new("health_check_url", $"{refused}.");
        }

        if (body.Tags?.Select((t, i) => (t, i)).FirstOrDefault(x => string.IsNullOrWhiteSpace(x.t) || x.t.Length > 255) is { t: { } tag, i: var index })
        {
            return new($"tags[{index}]", $"tags must be non-empty strings of at most 255 characters ('{tag}' is not).");
        }

        return null;
    }

    // A registry out of reach (consul mode) or a write it could not make durable (a full or read-only disk: IOException,
    // StorageUnavailableException in particular) is the registry's state, not a bug: 503 with the reason, never a 500.
    private static bool IsUnavailable(Exception e) => e is IOException or HttpRequestException or ConsulException;

    private static ProblemHttpResult Unavailable(ILucidServiceDirectory directory, string what, Exception e) =>
        Problems.Result(StatusCodes.Status503ServiceUnavailable, e is IOException
            ? $"{what} was refused: {directory.Registry} could not store it ({e.Message}). Retry once the storage is writable again; GET /health shows the storage state."
            : $"{what} was not accepted by {directory.Registry}: {e.Message}. Retry later; GET /health shows the discovery state.");
}
