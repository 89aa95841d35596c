using System.Text.Json.Serialization;

namespace ServiceMesh.Certificates;

/// <summary>A service's certificate as the API shows it (Lucid field names). Never carries a key.</summary>
internal sealed record CertificateResponse(
    string Service, string Serial, string SpiffeId, DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset RenewAt,
    string KeyAlgorithm, string CertPath, string KeyPath, string CaPath)
{
    public static CertificateResponse From(LeafState leaf, SvidFileStore files) => new(
        leaf.Service, leaf.Certificate.Serial, leaf.Certificate.SpiffeId, leaf.Certificate.NotBefore, leaf.Certificate.NotAfter, leaf.RenewAt,
        leaf.Certificate.KeyAlgorithm, files.CertificatePath(leaf.Service), files.KeyPath(leaf.Service), files.TrustBundlePath);
}

internal sealed record CertificateListResponse(int Count, IReadOnlyList<CertificateResponse> Certificates);

internal sealed record RevocationResponse(string Service, string Serial, DateTimeOffset RevokedAt, string Detail);

/// <summary>Source-generated JSON (Native AOT), snake_case like the Lucid API.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CertificateResponse))]
[JsonSerializable(typeof(CertificateListResponse))]
[JsonSerializable(typeof(RevocationResponse))]
[JsonSerializable(typeof(RootRotationResult))]
internal sealed partial class CertificateJsonContext : JsonSerializerContext;
