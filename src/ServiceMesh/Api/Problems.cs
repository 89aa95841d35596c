using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ServiceMesh.Api;

/// <summary>RFC 9457 problem details for every error, each with a detail a person can act on.</summary>
internal static class Problems
{
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static ProblemHttpResult Result(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);

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
            allowed = string.Join(", ", methods.HttpMethods);
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
                await service.TryWriteAsync(new() { HttpContext = context }).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }
}
