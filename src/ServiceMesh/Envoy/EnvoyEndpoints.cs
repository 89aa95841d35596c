using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Api;
using ServiceMesh.Certificates;
using ServiceMesh.Configuration;

namespace ServiceMesh.Envoy;

/// <summary>The Lucid-compatible /envoy/configs routes. Mutations need the API token (when one is set).</summary>
internal static class EnvoyEndpoints
{
    /// <summary>Consul's first sidecar port; used when a POST does not choose the public (mTLS) port.</summary>
    public const int DefaultPublicPort = 21000;

    private static readonly TimeSpan WriteWait = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapEnvoyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/envoy/configs");
        group.MapGet("/", List).WithDescription("Every sidecar configuration: service, source, ports, upstreams and files");
        group.MapGet("/{svc}", Get).WithDescription("One sidecar configuration");
        group.MapGet("/{svc}/content", Content).WithDescription("The files of one sidecar configuration as written on disk");
        group.MapPost("/{svc}", Register).WithDescription("Registers a service for a sidecar: {service_address, service_port, upstreams?: [{name, local_bind_port}], protocol?, public_port?}").RequireMeshToken();
        group.MapDelete("/{svc}", Remove).WithDescription("Removes a service registered through this API and its files").RequireMeshToken();
        return app;
    }

    private static JsonHttpResult<EnvoyConfigListResponse> List(EnvoyState state, MeshOptions options)
    {
        var latest = state.Latest;
        var services = latest is null ? [] : latest.Specs.Select(s => Describe(s, latest)).ToList();
        var excluded = latest is null ? [] : latest.Excluded.Select(e => new EnvoyExcludedResponse(e.Service, e.Source, e.Reason)).ToList();
        return TypedResults.Json(new EnvoyConfigListResponse(options.EnvoyConfigLayout.ToString().ToLowerInvariant(), options.EnvoyConfigPath, latest?.CompletedAt, services, excluded),
            EnvoyJsonContext.Default.EnvoyConfigListResponse);
    }

    private static IResult Get(string svc, EnvoyState state)
    {
        if (Invalid(svc) is { } invalid)
            return invalid;
        var latest = state.Latest;
        return latest?.Specs.FirstOrDefault(s => s.Name == svc) is { } spec
            ? TypedResults.Json(Describe(spec, latest), EnvoyJsonContext.Default.EnvoyServiceResponse)
            : NotFound(svc);
    }

    private static async Task<IResult> Content(string svc, EnvoyState state, MeshOptions options, CancellationToken cancellationToken)
    {
        if (Invalid(svc) is { } invalid)
            return invalid;
        if (state.Latest?.Files.FirstOrDefault(f => f.Service == svc) is not { } set)
            return NotFound(svc);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in set.Files)
        {
            var path = Path.Combine(options.EnvoyConfigPath, file.RelativePath);
            if (File.Exists(path))
                files[file.RelativePath] = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        return TypedResults.Json(new EnvoyContentResponse(svc, files), EnvoyJsonContext.Default.EnvoyContentResponse);
    }

    private static async Task<IResult> Register(string svc, HttpRequest request, EnvoyApiRegistrations registrations,
        EnvoyGenerationService generation, EnvoyState state, CancellationToken cancellationToken)
    {
        if (Invalid(svc) is { } invalid)
            return invalid;
        var (body, bodyProblem) = await JsonBody.ReadAsync(request, EnvoyJsonContext.Default.EnvoyConfigRequest, cancellationToken).ConfigureAwait(false);
        if (bodyProblem is not null)
            return Problems.Result(bodyProblem.Status, $"The body is not valid for this route ({bodyProblem}). Expected {{\"service_address\": \"10.0.0.5\", \"service_port\": 8080, \"upstreams\": [{{\"name\": \"auth-service\", \"local_bind_port\": 9001}}]}}.");
        if (ToMember(svc, body, out var problem) is not { } member)
            return Problems.Result(StatusCodes.Status400BadRequest, problem!);

        bool added;
        try
        {
            added = registrations.Set(member);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return NotSaved(svc, registrations, e);
        }
        var generated = await WaitForGenerationAsync(generation, $"POST /envoy/configs/{svc}", cancellationToken).ConfigureAwait(false);
        if (generated?.Specs.FirstOrDefault(s => s.Name == svc) is not { } spec)
            return Problems.Result(StatusCodes.Status503ServiceUnavailable,
                $"Registered {svc}, but no configuration could be generated yet: {string.Join("; ", state.PolicyProblems.DefaultIfEmpty("see the envoy component in /health"))}");
        if (added)
            request.HttpContext.Response.Headers.Location = $"/envoy/configs/{svc}";
        // Always through the source-generated context: TypedResults.Created would serialise with the app's default resolver.
        return TypedResults.Json(Describe(spec, generated), EnvoyJsonContext.Default.EnvoyServiceResponse,
            statusCode: added ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> Remove(string svc, EnvoyApiRegistrations registrations, EnvoyGenerationService generation, EnvoyState state, CancellationToken cancellationToken)
    {
        if (Invalid(svc) is { } invalid)
            return invalid;
        bool removed;
        try
        {
            removed = registrations.Remove(svc);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return NotSaved(svc, registrations, e);
        }
        if (!removed)
        {
            return state.Latest?.SourceOf.TryGetValue(svc, out var source) == true
                ? Problems.Result(StatusCodes.Status409Conflict, $"{svc} comes from {source}, not from this API; remove it there (services.yaml or the service catalog).")
                : NotFound(svc);
        }
        await WaitForGenerationAsync(generation, $"DELETE /envoy/configs/{svc}", cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<EnvoyGeneration?> WaitForGenerationAsync(EnvoyGenerationService generation, string reason, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WriteWait);
        return await generation.RequestAndWaitAsync(reason, timeout.Token).ConfigureAwait(false);
    }

    internal static MeshMember? ToMember(string svc, EnvoyConfigRequest? body, out string? problem)
    {
        var problems = new List<string>();
        if (body is null)
            problems.Add("a JSON body is required");
        else
        {
            if (string.IsNullOrWhiteSpace(body.ServiceAddress) || Uri.CheckHostName(body.ServiceAddress) == UriHostNameType.Unknown)
                problems.Add($"service_address: expected an IP address or host name, got '{body.ServiceAddress}'");
            if (!PortNumber.IsValid(body.ServicePort))
                problems.Add($"service_port: expected {PortNumber.Rule}, got {(body.ServicePort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")}");
            if (body.PublicPort is { } publicPort && !PortNumber.IsValid(publicPort))
                problems.Add($"public_port: expected {PortNumber.Rule}, got {publicPort}");
            if (body.Protocol is { } protocol && protocol is not ("http" or "tcp"))
                problems.Add($"protocol: expected http or tcp, got '{protocol}'");
            var ports = new HashSet<int> { body.PublicPort ?? DefaultPublicPort };
            foreach (var (upstream, i) in (body.Upstreams ?? []).Select((u, i) => (u, i)))
            {
                if (upstream is null)
                {
                    problems.Add($"upstreams[{i}]: expected {{\"name\": ..., \"local_bind_port\": ...}}, got null");
                    continue;
                }
                if (!ServiceName.IsValid(upstream.Name, out var nameProblem))
                    problems.Add($"upstreams[{i}].name: {nameProblem}");
                else if (upstream.Name == svc)
                    problems.Add($"upstreams[{i}].name: a service cannot be its own upstream");
                if (!PortNumber.IsValid(upstream.LocalBindPort))
                    problems.Add($"upstreams[{i}].local_bind_port: expected {PortNumber.Rule}");
                else if (!ports.Add(upstream.LocalBindPort.Value))
                    problems.Add($"upstreams[{i}].local_bind_port: {upstream.LocalBindPort} is already used by the public port or another upstream");
            }
        }
        if (problems.Count > 0)
        {
            problem = string.Join("; ", problems);
            return null;
        }
        problem = null;
        return new MeshMember(svc, body!.Protocol == "tcp" ? MeshProtocol.Tcp : MeshProtocol.Http, body.ServicePort!.Value, body.PublicPort ?? DefaultPublicPort,
            [.. (body.Upstreams ?? []).Select(u => new MeshUpstreamRef(u.Name!, u.LocalBindPort!.Value))], [body.ServiceAddress!]);
    }

    private static ProblemHttpResult? Invalid(string svc) =>
        ServiceName.IsValid(svc, out var problem) ? null : Problems.Result(StatusCodes.Status400BadRequest, problem);

    private static ProblemHttpResult NotSaved(string svc, EnvoyApiRegistrations registrations, Exception e) =>
        Problems.Result(StatusCodes.Status503ServiceUnavailable, $"The change for {svc} is not in force: it could not be saved to {registrations.FilePath} ({e.Message}). Fix the disk and send it again.");

    private static ProblemHttpResult NotFound(string svc) =>
        Problems.Result(StatusCodes.Status404NotFound, $"No sidecar configuration for {svc}. GET /envoy/configs lists them; POST /envoy/configs/{svc} registers one.");

    private static EnvoyServiceResponse Describe(EnvoyServiceSpec spec, EnvoyGeneration generation) => new(
        spec.Name,
        generation.SourceOf.GetValueOrDefault(spec.Name, "unknown"),
        spec.Protocol.ToString().ToLowerInvariant(),
        spec.ServicePort,
        spec.PublicPort,
        spec.AdminPort,
        spec.SpiffeId,
        [.. spec.Callers.SpiffeIds, .. spec.Callers.Prefix is { } prefix ? [prefix + "*"] : Array.Empty<string>()],
        [.. spec.Upstreams.Select(u => new EnvoyUpstreamResponse(u.Name, u.LocalBindPort, u.SpiffeId, [.. u.Endpoints.Select(e => $"{e.Address}:{e.Port}")]))],
        EnvoyFileLayout.BootstrapName(spec.Name),
        [.. generation.Files.FirstOrDefault(f => f.Service == spec.Name)?.Files.Select(f => f.RelativePath) ?? []]);
}
