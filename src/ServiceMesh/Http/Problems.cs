using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ServiceMesh.Http;

/// <summary>RFC 9457 problem details for every error, each with a detail a person can act on.</summary>
internal static class Problems
{
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static ProblemHttpResult Result(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);

    /// <summary>
    /// 422 for values the request got wrong, in the earlier API's shape (<c>detail</c> a list of <c>{loc, msg, type}</c>)
    /// with the RFC 9457 members beside it. <paramref name="location"/> is "body" or "path".
    /// </summary>
    public static IResult Invalid(HttpContext context, string summary, string location, IEnumerable<FieldError> errors)
    {
        var items = errors.Select(e => new ValidationErrorItem([location, .. LocPart.Parse(e.Field)], e.Message, e.Kind)).ToList();
        var body = new ValidationProblemBody("https://tools.ietf.org/html/rfc4918#section-11.2", "One or more request values are not valid",
            StatusCodes.Status422UnprocessableEntity, items, summary, context.Request.Path);
        return TypedResults.Json(body, HttpJsonContext.Relaxed.ValidationProblemBody, "application/problem+json", StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>A path parameter that is not a valid service name: 422 at <c>["path", name]</c>.</summary>
    public static IResult InvalidPath(HttpContext context, string parameter, string problem) =>
        Invalid(context, $"{parameter}: {problem}", "path", [new FieldError(parameter, problem)]);

    /// <summary>A body that could not be read: 422 (413 stays 413, with a string detail).</summary>
    public static IResult Body(HttpContext context, BodyProblem problem, string summary) =>
        problem.Status == StatusCodes.Status400BadRequest
            ? Invalid(context, summary, "body", [new FieldError(problem.Field, problem.Reason, IsNull(problem) ? "missing" : "json_invalid")])
            : Result(problem.Status, summary);

    // JsonBody's two null refusals: a null the model has no room for, and a body that is just null.
    private static bool IsNull(BodyProblem problem) =>
        problem.Reason.StartsWith("null is not allowed", StringComparison.Ordinal) || problem.Reason.EndsWith("got null", StringComparison.Ordinal);

    /// <summary>Fills in the detail for errors the framework produces without one (404, 405, 413, 500).</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var request = $"{http.Request.Method} {http.Request.Path}";
        context.ProblemDetails.Instance ??= http.Request.Path;
        context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
        {
            StatusCodes.Status404NotFound => $"No route matches {request}. GET / lists the endpoints.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Path} does not accept {http.Request.Method}.{Allowed(http)} GET / lists the endpoints.",
            StatusCodes.Status413PayloadTooLarge => $"The request body is larger than {MaxRequestBodyBytes} bytes (1 MiB); send a smaller body.",
            StatusCodes.Status400BadRequest => "The request could not be read; check its body and headers.",
            >= 500 => $"Unexpected error handling {request}; the service-mesh log has the details (traceId {System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier}).",
            _ => null,
        };
    }

    private static string Allowed(HttpContext http)
    {
        var allowed = http.Response.Headers.Allow.ToString();
        if (allowed.Length == 0 && http.GetEndpoint()?.Metadata.GetMetadata<IHttpMethodMetadata>() is { } methods)
        {
            allowed = string.Join(", ", methods.HttpMethods);
        }

        return allowed.Length == 0 ? "" : $" Allowed: {allowed}.";
    }

    /// <summary>Maps Kestrel's "bad request" family (e.g. body over the limit → 413) to its own status.</summary>
    public static int StatusFor(Exception exception) =>
        exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;

    /// <summary>Rejects a declared oversized body before any endpoint runs; chunked bodies hit Kestrel's limit instead.</summary>
    public static async Task RejectOversizedBodies(HttpContext context, RequestDelegate next)
    {
        if (context.Request.ContentLength > MaxRequestBodyBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            var service = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
            if (service is not null)
            {
                await service.TryWriteAsync(new() { HttpContext = context }).ConfigureAwait(false);
            }

            return;
        }
        await next(context).ConfigureAwait(false);
    }
}
