using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceMesh.Certificates;
using ServiceMesh.Configuration;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Output;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Http;

namespace ServiceMesh.Envoy.Api;

/// <summary>The Lucid-compatible /envoy/configs routes. Mutations need the API token (when one is set).</summary>
internal static class EnvoyEndpoints
{
    private static readonly TimeSpan WriteWait = TimeSpan.FromSeconds(10);

    /// <summary>What GET /envoy/configs/{svc}/content shows for a file that holds a private key.</summary>
    internal const string NotServed = "# not served: this file holds the sidecar's private key (mode 0600, read by the sidecar's user only)\n";

    public static IEndpointRouteBuilder MapEnvoy(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/envoy/configs");
        group.MapGet("/", List).WithDescription("Every sidecar configuration: {configs: [{service_name, config_path, service_address, service_port, created_at, ...}], count, ...}");
        group.MapGet("/{svc}", Get).WithDescription("One sidecar configuration: {service_name, config_path, service_address, service_port, created_at, ...}");
        group.MapGet("/{svc}/content", Content).WithDescription("One sidecar configuration as written on disk: {service_name, content (the bootstrap YAML), files: {path: text}}");
        group.MapPost("/{svc}", Register).WithDescription("Registers a service for a sidecar: {service_address, service_port, upstreams?: [{name, local_bind_port}], protocol?, public_port?, admin_port?, prometheus_port?, ready_port?}; 200 {status: \"generated\", service_name, config_path, ...}; 409 when a port is already held on this host; 422 when a value is wrong").RequireMeshToken();
        group.MapDelete("/{svc}", Remove).WithDescription("Removes a service registered through this API and its files: {status: \"deleted\", service_name}").RequireMeshToken();
        return app;
    }

    private static JsonHttpResult<EnvoyConfigListResponse> List(EnvoyState state, EnvoySettings settings)
    {
        var latest = state.Latest;
        var services = latest is null ? [] : latest.Specs.Select(s => Describe(s, latest, settings)).ToList();
        var excluded = latest is null ? [] : latest.Excluded.Select(e => new EnvoyExcludedResponse(e.Service, e.Source, e.Reason)).ToList();
        return TypedResults.Json(new EnvoyConfigListResponse(services, services.Count, settings.Layout.ToString().ToLowerInvariant(), settings.EnvoyConfigPath,
            latest?.CompletedAt, services, excluded), EnvoyJsonContext.Default.EnvoyConfigListResponse);
    }

    private static IResult Get(string svc, HttpContext context, EnvoyState state, EnvoySettings settings)
    {
        if (Invalid(context, svc) is { } invalid)
        {
            return invalid;
        }

        var latest = state.Latest;
        return latest?.Specs.FirstOrDefault(s => s.Name == svc) is { } spec
            ? TypedResults.Json(Describe(spec, latest, settings), EnvoyJsonContext.Default.EnvoyServiceResponse)
            : NotFound(svc);
    }

    private static async Task<IResult> Content(string svc, HttpContext context, EnvoyState state, EnvoySettings settings, CancellationToken cancellationToken)
    {
        if (Invalid(context, svc) is { } invalid)
        {
            return invalid;
        }

        if (state.Latest?.Files.FirstOrDefault(f => f.Service == svc) is not { } set)
        {
            return NotFound(svc);
        }

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in set.Files)
        {
            var path = Path.Combine(settings.EnvoyConfigPath, file.RelativePath);
            if (file.HoldsPrivateKey)
            {
                files[file.RelativePath] = NotServed; // the private key stays on disk, readable by the sidecar's user alone
            }
            else if (File.Exists(path))
            {
                files[file.RelativePath] = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }
        var bootstrap = BootstrapPath(set);
        var content = bootstrap is not null && files.TryGetValue(bootstrap, out var text) ? text : "";
        return TypedResults.Json(new EnvoyContentResponse(svc, content, svc, files), EnvoyJsonContext.Default.EnvoyContentResponse);
    }

    private static async Task<IResult> Register(string svc, HttpRequest request, EnvoyApiRegistrations registrations,
        EnvoyGenerationService generation, EnvoyState state, EnvoySettings settings, CancellationToken cancellationToken)
    {
        if (Invalid(request.HttpContext, svc) is { } invalid)
        {
            return invalid;
        }

        var (body, bodyProblem) = await JsonBody.ReadAsync(request, EnvoyJsonContext.Default.EnvoyConfigRequest, cancellationToken).ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return Problems.Body(request.HttpContext, bodyProblem, $"The body is not valid for this route ({bodyProblem}). Expected {{\"service_address\": \"10.0.0.5\", \"service_port\": 8080, \"upstreams\": [{{\"name\": \"auth-service\", \"local_bind_port\": 9001}}]}}.");
        }

        var errors = new List<FieldError>();
        if (ToMember(svc, body, errors) is not { } member)
        {
            return Problems.Invalid(request.HttpContext, string.Join("; ", errors), "body", errors);
        }

        // Checked against the latest plan: a port another sidecar (or service-mesh) holds stays theirs.
        if (state.Latest?.PortPlan.ConflictOf(member) is { } conflict)
        {
            return Problems.Result(StatusCodes.Status409Conflict, $"{svc} cannot have its sidecar on this host: {conflict}");
        }

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
        if (generated?.Excluded.FirstOrDefault(e => e.Service == svc && e.Source == registrations.Name) is { } turnedAway)
        {
            // Another claim won the port meanwhile: registered, listed in GET /envoy/configs "excluded" until changed or deleted.
            return Problems.Result(StatusCodes.Status409Conflict, $"{svc} cannot have its sidecar on this host: {turnedAway.Reason}");
        }

        if (generated?.Specs.FirstOrDefault(s => s.Name == svc) is not { } spec)
        {
            return Problems.Result(StatusCodes.Status503ServiceUnavailable,
                $"Registered {svc}, but no configuration could be generated yet: {string.Join("; ", state.PolicyProblems.DefaultIfEmpty("see the envoy component in /health"))}");
        }

        if (added)
        {
            request.HttpContext.Response.Headers.Location = $"/envoy/configs/{svc}";
        }
        // 200 whether new or replaced, as the earlier API answered; Location still says where a new one lives.
        return TypedResults.Json(Describe(spec, generated, settings, "generated"), EnvoyJsonContext.Default.EnvoyServiceResponse);
    }

    private static async Task<IResult> Remove(string svc, HttpContext context, EnvoyApiRegistrations registrations, EnvoyGenerationService generation, EnvoyState state, CancellationToken cancellationToken)
    {
        if (Invalid(context, svc) is { } invalid)
        {
            return invalid;
        }

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
        return TypedResults.Json(new EnvoyDeletedResponse("deleted", svc), EnvoyJsonContext.Default.EnvoyDeletedResponse);
    }

    private static async Task<EnvoyGeneration?> WaitForGenerationAsync(EnvoyGenerationService generation, string reason, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WriteWait);
        return await generation.RequestAndWaitAsync(reason, timeout.Token).ConfigureAwait(false);
    }

    internal static MeshMember? ToMember(string svc, EnvoyConfigRequest? body, out string? problem)
    {
        var problems = new List<FieldError>();
        var member = ToMember(svc, body, problems);
        problem = problems.Count > 0 ? string.Join("; ", problems) : null;
        return member;
    }

    /// <summary>The member a body describes, or null with every problem (field and reason) added to <paramref name="problems"/>.</summary>
    internal static MeshMember? ToMember(string svc, EnvoyConfigRequest? body, List<FieldError> problems)
    {
        if (body is null)
        {
            problems.Add(new("body", "a JSON body is required", "missing"));
        }
        else
        {
            if (string.IsNullOrWhiteSpace(body.ServiceAddress) || Uri.CheckHostName(body.ServiceAddress) == UriHostNameType.Unknown)
            {
                problems.Add(new("service_address", $"expected an IP address or host name, got '{body.ServiceAddress}'", body.ServiceAddress is null ? "missing" : "value_error"));
            }

            if (!PortNumber.IsValid(body.ServicePort))
            {
                problems.Add(new("service_port", $"expected {PortNumber.Rule}, got {(body.ServicePort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")}",
                    body.ServicePort is null ? "missing" : "value_error"));
            }

            (string Field, int? Port)[] named = [("public_port", body.PublicPort), ("admin_port", body.AdminPort), ("prometheus_port", body.PrometheusPort), ("ready_port", body.ReadyPort)];
            var ports = new HashSet<int>();
            foreach (var (field, port) in named.Where(n => n.Port is not null))
            {
                if (!PortNumber.IsValid(port))
                {
                    problems.Add(new(field, $"expected {PortNumber.Rule}, got {port}"));
                }
                else if (!ports.Add(port.Value))
                {
                    problems.Add(new(field, $"{port} is already another of this sidecar's ports"));
                }
            }

            if (body.Protocol is { } protocol && !MeshProtocols.TryParse(protocol, out _))
            {
                problems.Add(new("protocol", $"expected {MeshProtocols.Expected}, got '{protocol}'"));
            }

            foreach (var (upstream, i) in (body.Upstreams ?? []).Select((u, i) => (u, i)))
            {
                if (upstream is null)
                {
                    problems.Add(new($"upstreams[{i}]", "expected {\"name\": ..., \"local_bind_port\": ...}, got null", "missing"));
                    continue;
                }
                if (!ServiceName.IsValid(upstream.Name, out var nameProblem))
                {
                    problems.Add(new($"upstreams[{i}].name", nameProblem));
                }
                else if (upstream.Name == svc)
                {
                    problems.Add(new($"upstreams[{i}].name", "a service cannot be its own upstream"));
                }

                if (!PortNumber.IsValid(upstream.LocalBindPort))
                {
                    problems.Add(new($"upstreams[{i}].local_bind_port", $"expected {PortNumber.Rule}"));
                }
                else if (!ports.Add(upstream.LocalBindPort.Value))
                {
                    problems.Add(new($"upstreams[{i}].local_bind_port", $"{upstream.LocalBindPort} is already used by another port of this sidecar or another upstream"));
                }
            }
        }
        if (problems.Count > 0)
        {
            return null;
        }

        return new MeshMember(svc, MeshProtocols.ParseOrHttp(body!.Protocol), body.ServicePort!.Value, body.PublicPort,
            [.. (body.Upstreams ?? []).Select(u => new MeshUpstreamRef(u.Name!, u.LocalBindPort!.Value))], [body.ServiceAddress!],
            (body.AdminPort ?? body.PrometheusPort ?? body.ReadyPort) is null ? null : new SidecarPortRequest(body.AdminPort, body.PrometheusPort, body.ReadyPort));
    }

    private static IResult? Invalid(HttpContext context, string svc) =>
        ServiceName.IsValid(svc, out var problem) ? null : Problems.InvalidPath(context, "service_name", problem);

    private static ProblemHttpResult NotSaved(string svc, EnvoyApiRegistrations registrations, Exception e) =>
        Problems.Result(StatusCodes.Status503ServiceUnavailable, $"The change for {svc} is not in force: it could not be saved to {registrations.FilePath} ({e.Message}). Fix the disk and send it again.");

    private static ProblemHttpResult NotFound(string svc) =>
        Problems.Result(StatusCodes.Status404NotFound, $"No sidecar configuration for {svc}. GET /envoy/configs lists them; POST /envoy/configs/{svc} registers one.");

    private static string? BootstrapPath(EnvoyFileSet? set) =>
        set?.Files.Select(f => f.RelativePath).FirstOrDefault(p => Path.GetFileName(p) == EnvoyFileLayout.BootstrapName(set.Service));

    /// <summary>
    /// The earlier API's fields first: config_path (the bootstrap, absolute), service_address (where the sidecar sends
    /// inbound traffic: the local app on 127.0.0.1), service_port, created_at (when the bootstrap was last written).
    /// </summary>
    private static EnvoyServiceResponse Describe(EnvoyServiceSpec spec, EnvoyGeneration generation, EnvoySettings settings, string? status = null)
    {
        var set = generation.Files.FirstOrDefault(f => f.Service == spec.Name);
        var bootstrap = Path.Combine(settings.EnvoyConfigPath, BootstrapPath(set) ?? EnvoyFileLayout.BootstrapName(spec.Name));
        var written = File.Exists(bootstrap) ? new DateTimeOffset(File.GetLastWriteTimeUtc(bootstrap), TimeSpan.Zero) : generation.CompletedAt;
        return new(status, spec.Name, bootstrap, "127.0.0.1", written, spec.Name,
        generation.SourceOf.GetValueOrDefault(spec.Name, "unknown"),
        spec.Protocol.Name(),
        spec.ServicePort,
        spec.PublicPort,
        spec.AdminPort,
        spec.Stats.PrometheusPort,
        spec.Stats.ReadyPort,
        spec.Stats.BindAddress,
        spec.SpiffeId,
        [.. spec.Callers.SpiffeIds, .. spec.Callers.Prefix is { } prefix ? [prefix + "*"] : Array.Empty<string>()],
            [.. spec.Upstreams.Select(u => new EnvoyUpstreamResponse(u.Name, u.LocalBindPort, u.SpiffeId, [.. u.Endpoints.Select(e => $"{e.Address}:{e.Port}")]))],
            EnvoyFileLayout.BootstrapName(spec.Name),
            [.. set?.Files.Select(f => f.RelativePath) ?? []],
            spec.Warnings);
    }
}
