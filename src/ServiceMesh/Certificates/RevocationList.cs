using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceMesh.Certificates;

internal sealed record RevokedCertificate(string Service, string Serial, DateTimeOffset RevokedAt);

/// <summary>A revocation and whether the sidecars refuse the certificate now, in words for the API.</summary>
internal sealed record Revocation(RevokedCertificate Certificate, string Enforcement);

/// <summary>Serials revoked through DELETE /certificates/{svc}, persisted beside the CA as ca.revoked.json.</summary>
internal sealed class RevocationList(string folder, ICertificateFileSystem files)
{
    public const string FileName = "ca.revoked.json";
    private readonly Lock _gate = new();
    private List<RevokedCertificate> _entries = [];

    private string FilePath => Path.Combine(folder, FileName);

    public void Load()
    {
        if (files.ReadIfExists(FilePath) is not { } json)
        {
            return;
        }

        try
        {
            var entries = JsonSerializer.Deserialize(json, CertificateStateJsonContext.Default.ListRevokedCertificate) ?? [];
            lock (_gate)
            {
                _entries = entries;
            }
        }
        catch (JsonException e)
        {
            throw new CertificateAuthorityException($"CERTIFICATES_PATH={folder}: {FileName} is not valid JSON ({e.Message}). It was left untouched; restore it from a backup.", e);
        }
    }

    public IReadOnlyList<RevokedCertificate> Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries;
            }
        }
    }

    public bool Contains(string serial)
    {
        lock (_gate)
        {
            return _entries.Exists(e => string.Equals(e.Serial, serial, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Persists first, then updates memory, so a failed write does not claim a revocation that would be lost on restart.</summary>
    public void Add(RevokedCertificate entry)
    {
        lock (_gate)
        {
            List<RevokedCertificate> next = [.. _entries, entry];
            files.WriteAtomic(FilePath, JsonSerializer.SerializeToUtf8Bytes(next, CertificateStateJsonContext.Default.ListRevokedCertificate),
                ICertificateFileSystem.PublicMode);
            _entries = next;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(List<RevokedCertificate>))]
internal sealed partial class CertificateStateJsonContext : JsonSerializerContext;
