using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceMesh.Configuration;
using ServiceMesh.Http;

namespace ServiceMesh.Certificates.Api;

/// <summary>
/// /certificates on the HTTP API (Lucid-compatible). Reads are open; issue, renew, revoke and root rotation need the
/// API token when one is set. Bodies carry paths and metadata, never a private key.
/// </summary>
internal static class CertificateEndpoints
{
    public static IEndpointRouteBuilder MapCertificates(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/certificates");
        group.MapGet("", List).WithDescription("Every service certificate: {certificates: [{service_name, cert_path, key_path, created_at, expires_at, serial, spiffe_id, ...}], count}");
        group.MapGet("/ca", TrustBundle).WithDescription("The CA: JSON {ca_certificate, trust_bundle, ...}; the trust bundle as PEM with 'Accept: application/x-pem-file' (the previous root stays in it during a root rotation)");
        group.MapGet("/ca/crl", RevocationLists).WithDescription("The revocation list in force (PEM, a CRL per root of the trust bundle): what the sidecars check peers against");
        group.MapPost("/ca/rotate", RotateRoot).RequireMeshToken()
            .WithDescription("New root cross-signed by the current one; every certificate is re-issued; the old root stays trusted for the grace period");
        group.MapGet("/{svc}", Get).WithDescription("One service's certificate");
        group.MapPost("/{svc?}", Issue).RequireMeshToken().WithDescription("Issue a service's certificate, or renew it now");
        group.MapDelete("/{svc?}", Revoke).RequireMeshToken().WithDescription("Revoke: remove the files, record the serial in ca.revoked.json; {status: \"revoked\", service_name, serial, ...}");
        return app;
    }

    private static JsonHttpResult<CertificateListResponse> List(CertificateManager manager)
    {
        var certificates = manager.Leaves.Select(l => CertificateResponse.From(l, manager.Files)).ToList();
        return TypedResults.Json(new CertificateListResponse(certificates.Count, certificates), CertificateJsonContext.Default.CertificateListResponse);
    }

    private static IResult Get(string svc, HttpContext context, CertificateManager manager)
    {
        if (!ServiceName.IsIdentity(svc, out var problem))
        {
            return Problems.InvalidPath(context, "service_name", problem);
        }

        return manager.Find(svc) is { } leaf
            ? TypedResults.Json(CertificateResponse.From(leaf, manager.Files), CertificateJsonContext.Default.CertificateResponse)
            : NotIssued(svc);
    }

    private static async Task<IResult> Issue(string? svc, HttpContext context, CertificateManager manager, ReportingCertificateFileSystem storage, CancellationToken cancellationToken)
    {
        if (!ServiceName.IsIdentity(svc, out var problem))
        {
            return Problems.InvalidPath(context, "service_name", problem);
        }

        try
        {
            var leaf = await manager.IssueAsync(svc, cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(CertificateResponse.From(leaf, manager.Files), CertificateJsonContext.Default.CertificateResponse);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            if (e is not CryptographicException)
            {
                storage.RefusedRequest(e); // storage: unhealthy, naming CERTIFICATES_PATH and the error, until a write succeeds
            }

            return Problems.Result(StatusCodes.Status503ServiceUnavailable,
                $"Issuing the certificate of '{svc}' failed: {e.Message}. The previous certificate, if any, is unchanged; retry once the cause is fixed.");
        }
    }

    private static async Task<IResult> Revoke(string? svc, HttpContext context, CertificateManager manager, CancellationToken cancellationToken)
    {
        if (!ServiceName.IsIdentity(svc, out var problem))
        {
            return Problems.InvalidPath(context, "service_name", problem);
        }

        var revoked = await manager.RevokeAsync(svc, cancellationToken).ConfigureAwait(false);
        return revoked is null
            ? NotIssued(svc)
            : TypedResults.Json(new RevocationResponse("revoked", revoked.Certificate.Service, revoked.Certificate.Service, revoked.Certificate.Serial, revoked.Certificate.RevokedAt,
                $"files removed; serial recorded in {RevocationList.FileName}; {revoked.Enforcement}"), CertificateJsonContext.Default.RevocationResponse);
    }

    // What the sidecars get inline; ca.crl holds the same unless writing it failed (then /health says so).
    private static Results<ContentHttpResult, ProblemHttpResult> RevocationLists(CertificateManager manager) => manager.RevocationList switch
    {
        { Pem: { } pem } => TypedResults.Text(pem, "application/x-pem-file"),
        { Problem: { } problem } => Problems.Result(StatusCodes.Status503ServiceUnavailable, $"No revocation list is in force: {problem}"),
        _ => Problems.Result(StatusCodes.Status404NotFound,
            "No revocation list while the previous root, which has none, is still trusted; one is published again when that root is retired."),
    };

    /// <summary>JSON by default (the earlier API's <c>{"ca_certificate": PEM}</c>, plus ours); PEM when the caller asks for it.</summary>
    private static IResult TrustBundle(HttpRequest request, CertificateManager manager)
    {
        var bundle = Encoding.ASCII.GetString(CertificateAuthority.PemBytes(manager.Trust.Bundle));
        if (WantsPem(request))
        {
            return TypedResults.Text(bundle, PemMediaType);
        }

        var trust = manager.Trust;
        var root = Encoding.ASCII.GetString(CertificateAuthority.PemBytes([trust.Active.Root]));
        return TypedResults.Json(new CaResponse(root, bundle, trust.Bundle.Count, trust.RotationInProgress, manager.Files.TrustBundlePath,
            trust.Active.Root.NotAfter.ToUniversalTime()), CertificateJsonContext.Default.CaResponse);
    }

    internal const string PemMediaType = "application/x-pem-file";

    // Only an explicit PEM type selects PEM; "*/*", JSON or no Accept header get the JSON the earlier API gave.
    private static bool WantsPem(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(PemMediaType, StringComparison.OrdinalIgnoreCase)
            || a.MediaType.Equals("application/pem-certificate-chain", StringComparison.OrdinalIgnoreCase));

    private static async Task<Results<JsonHttpResult<RootRotationResult>, ProblemHttpResult>> RotateRoot(CertificateManager manager, CancellationToken cancellationToken)
    {
        try
        {
            var result = await manager.RotateRootAsync(cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(result, CertificateJsonContext.Default.RootRotationResult);
        }
        catch (InvalidOperationException e)
        {
            return Problems.Result(StatusCodes.Status409Conflict, $"Not rotated: {e.Message}.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return Problems.Result(StatusCodes.Status503ServiceUnavailable, $"Root rotation failed: {e.Message}. The current root is unchanged.");
        }
    }

    private static ProblemHttpResult NotIssued(string svc) =>
        Problems.Result(StatusCodes.Status404NotFound, $"No certificate for '{svc}'. POST /certificates/{svc} issues one.");
}
