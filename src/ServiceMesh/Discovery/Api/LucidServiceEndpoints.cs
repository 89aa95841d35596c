using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Api;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Discovery.Watch;
using ServiceMesh.Configuration;

namespace ServiceMesh.Discovery.Api;

/// <summary>
/// Lucid's service routes on 8088. Writes go through the Consul client and return once the catalog snapshot shows
/// them (read-your-writes); reads come from that snapshot, which is also what stays served while Consul is away.
/// </summary>
internal static class LucidServiceEndpoints
{
    private static readonly TimeSpan VisibleWithin = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapDiscoveryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/services", (CatalogWatcher watcher) => TypedResults.Json(List(watcher.Current), LucidJsonContext.Default.ServiceListResponse))
            .WithDescription("Every registered service instance: {services: [{name, address, port, tags}], count}");
        app.MapGet("/services/{name}", (string name, CatalogWatcher watcher) => Find(watcher.Current, name))
            .WithDescription("One passing instance of the service {address, port, service_id, tags}, or 404");
        app.MapPost("/services/register", RegisterAsync).RequireMeshToken()
            .WithDescription("Register {service_name, service_address, service_port, health_check_url?, tags?}: 200 {status: \"registered\", service_name, service_id, ...}; 422 when a value is wrong");
        app.MapDelete("/services/{name}", DeregisterAsync).RequireMeshToken()
            .WithDescription("Deregister every instance of the service: {status: \"deregistered\", service_name, deregistered}");
        return app;
    }

    private static ServiceListResponse List(CatalogSnapshot snapshot)
    {
        var services = snapshot.Services.Values.SelectMany(s => s.Instances)
            .Select(i => new ServiceSummary(i.Service, i.Address, i.Port, i.Tags, i.Id, i.Health.ToString().ToLowerInvariant())).ToList();
        return new ServiceListResponse(services, services.Count);
    }

    private static IResult Find(CatalogSnapshot snapshot, string name)
    {
        var passing = snapshot.Find(name)?.Instances.Where(i => i.Health == InstanceHealth.Passing).ToList() ?? [];
        if (passing.Count == 0)
            return Problems.Result(StatusCodes.Status404NotFound, snapshot.Find(name) is null
                ? $"No service named '{name}' is registered. GET /services lists them."
                : $"Service '{name}' is registered but no instance is passing its health checks.");
        var pick = passing[Random.Shared.Next(passing.Count)]; // spread callers over the passing instances
        return TypedResults.Json(new ServiceInstanceResponse(pick.Address, pick.Port, pick.Id, pick.Tags), LucidJsonContext.Default.ServiceInstanceResponse);
    }

    private static async Task<IResult> RegisterAsync(HttpRequest request, ConsulClient client, CatalogWatcher watcher, MeshOptions options, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await JsonBody.ReadAsync(request, LucidJsonContext.Default.RegisterServiceRequest, cancellationToken);
        if (bodyProblem is not null)
            return Problems.Body(request.HttpContext, bodyProblem, $"The body is not valid JSON for a registration: {bodyProblem}.");
        if (Validate(body, options.CheckAllowedNetworks) is { } problem)
            return Problems.Invalid(request.HttpContext, problem.Message, "body", [problem]);
        var id = string.Create(CultureInfo.InvariantCulture, $"{body!.ServiceName}-{body.ServiceAddress}-{body.ServicePort}");
        var registration = new AgentServiceRegistration
        {
            Id = id, Name = body.ServiceName!, Address = body.ServiceAddress, Port = body.ServicePort!.Value, Tags = body.Tags ?? [],
            Check = body.HealthCheckUrl is null ? null : new AgentServiceCheck { Http = body.HealthCheckUrl, Interval = "10s", Timeout = "5s" },
        };
        try { await client.RegisterAsync(registration, cancellationToken); }
        catch (Exception e) when (e is HttpRequestException or ConsulException) { return Unavailable(request.HttpContext, client, e); }
        await watcher.WaitUntilAsync(s => s.Find(registration.Name)?.Instances.Any(i => i.Id == id) == true, VisibleWithin, cancellationToken);
        // 200 as the earlier API answered (not 201), with its {status, service_name} beside ours.
        return TypedResults.Json(new RegisteredResponse("registered", registration.Name, id, registration.Name, registration.Address!, registration.Port, registration.Tags!),
            LucidJsonContext.Default.RegisteredResponse);
    }

    private static async Task<IResult> DeregisterAsync(string name, HttpContext context, ConsulClient client, CatalogWatcher watcher, CancellationToken cancellationToken)
    {
        int removed = 0;
        try
        {
            var instances = await client.CatalogServiceAsync(name, null, cancellationToken);
            foreach (var instance in instances.Value)
                removed += await client.DeregisterAsync(instance.ServiceId, cancellationToken) ? 1 : 0;
        }
        catch (Exception e) when (e is HttpRequestException or ConsulException) { return Unavailable(context, client, e); }
        if (removed == 0)
            return Problems.Result(StatusCodes.Status404NotFound, $"No service named '{name}' is registered. GET /services lists them.");
        await watcher.WaitUntilAsync(s => s.Find(name) is null, VisibleWithin, cancellationToken);
        return TypedResults.Json(new DeregisteredResponse("deregistered", name, name, removed), LucidJsonContext.Default.DeregisteredResponse);
    }

    /// <param name="checkNetworks">CHECK_ALLOWED_NETWORKS: judged here too, because an external Consul would probe anything.</param>
    /// <returns>The first value that is wrong (its field and a sentence naming the rule), or null.</returns>
    internal static FieldError? Validate(RegisterServiceRequest? body, AllowedNetworks checkNetworks)
    {
        if (body is null)
            return new("body", "A JSON body {service_name, service_address, service_port, health_check_url?, tags?} is required.", "missing");
        if (!ServiceName.IsValid(body.ServiceName, out var nameProblem))
            return new("service_name", $"service_name: {nameProblem}.", body.ServiceName is null ? "missing" : "value_error");
        if (!PortNumber.IsValid(body.ServicePort))
            return new("service_port", $"service_port {body.ServicePort?.ToString(CultureInfo.InvariantCulture) ?? "(missing)"} must be {PortNumber.Rule}.",
                body.ServicePort is null ? "missing" : "value_error");
        if (body.ServiceAddress is null || Uri.CheckHostName(body.ServiceAddress) == UriHostNameType.Unknown)
            return new("service_address", $"service_address '{body.ServiceAddress}' must be an IP address or a host name.",
                body.ServiceAddress is null ? "missing" : "value_error");
        if (body.HealthCheckUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            return new("health_check_url", $"health_check_url '{CheckTargets.Redact(url)}' must be an absolute http:// or https:// URL.");
        if (body.HealthCheckUrl is { } target && CheckTargets.Refusal("health_check_url", CheckTargets.Redact(target), new Uri(target).Host, checkNetworks) is { } refused)
            return new("health_check_url", $"{refused}.");
        if (body.Tags?.Select((t, i) => (t, i)).FirstOrDefault(x => string.IsNullOrWhiteSpace(x.t) || x.t.Length > 255) is { t: { } tag, i: var index })
            return new($"tags[{index}]", $"tags must be non-empty strings of at most 255 characters ('{tag}' is not).");
        return null;
    }

    // The registry refusing the values is a validation error like ours: 422, at the body.
    private static IResult Unavailable(HttpContext context, ConsulClient client, Exception e) =>
        e is ConsulException { Status: System.Net.HttpStatusCode.BadRequest } rejected
            ? Problems.Invalid(context, rejected.Message, "body", [new FieldError("body", rejected.Message)])
            : Problems.Result(StatusCodes.Status503ServiceUnavailable, $"The registry at {client.Endpoint.BaseAddress} did not accept the change: {e.Message}. Retry later; GET /health shows the discovery state.");
}
