using System.Text.Json.Serialization;

namespace ServiceMesh.Certificates.Api;

/// <summary>
/// A service's certificate as the API shows it: the earlier API's five fields (service_name, cert_path, key_path,
/// created_at, expires_at: ISO 8601), then ours. Never carries a key.
/// </summary>
internal sealed record CertificateResponse(
    string ServiceName, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    string Service, string Serial, string SpiffeId, DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset RenewAt,
    string KeyAlgorithm, string CertPath, string KeyPath, string CaPath)
{
    public static CertificateResponse From(LeafState leaf, SvidFileStore files) => new(
        leaf.Service, leaf.Certificate.NotBefore, leaf.Certificate.NotAfter,
        leaf.Service, leaf.Certificate.Serial, leaf.Certificate.SpiffeId, leaf.Certificate.NotBefore, leaf.Certificate.NotAfter, leaf.RenewAt,
        leaf.Certificate.KeyAlgorithm, files.CertificatePath(leaf.Service), files.KeyPath(leaf.Service), files.TrustBundlePath);
}

internal sealed record CertificateListResponse(int Count, IReadOnlyList<CertificateResponse> Certificates);

/// <summary>GET /certificates/ca as JSON: the earlier <c>ca_certificate</c> (the active root, PEM), then the whole trust bundle.</summary>
internal sealed record CaResponse(string CaCertificate, string TrustBundle, int Roots, bool RotationInProgress, string CaPath, DateTimeOffset ExpiresAt);

internal sealed record RevocationResponse(string Status, string ServiceName, string Service, string Serial, DateTimeOffset RevokedAt, string Detail);

/// <summary>Source-generated JSON (Native AOT), snake_case like the Lucid API.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CertificateResponse))]
[JsonSerializable(typeof(CertificateListResponse))]
[JsonSerializable(typeof(RevocationResponse))]
[JsonSerializable(typeof(CaResponse))]
[JsonSerializable(typeof(RootRotationResult))]
internal sealed partial class CertificateJsonContext : JsonSerializerContext;
