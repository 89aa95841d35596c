// Shared with the typed build (compiled there via <Compile Include Link>): the build writes markers with this
// code and `service-mesh verify-install` checks them with the same code. Keep it BCL-only and self-contained.
#nullable enable
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace ServiceMesh.Install;

/// <summary>
/// An install marker, <c>&lt;markers&gt;/&lt;name&gt;.json</c>: who built what, when, and a digest of the files it vouches for.
/// <c>Files</c> are relative to <c>Root</c>, sorted ordinal, unique, without "..".
/// </summary>
internal sealed record InstallMarker(string Name, string Version, string Revision, DateTimeOffset BuildDate, string Root, IReadOnlyList<string> Files, string Sha256);

/// <summary>A marker file that is not a valid marker; the message names the field and what is expected.</summary>
internal sealed class InstallMarkerFormatException(string message) : FormatException(message);

/// <summary>
/// The marker digest: SHA-256 over the UTF-8 bytes of, for each file in ordinal order,
/// <c>&lt;relative path&gt;\n&lt;lowercase hex sha256 of the file content&gt;\n</c>.
/// </summary>
internal static class MarkerDigest
{
    /// <summary>The digest of already-hashed files (sorted here, ordinal, so the caller's order does not matter).</summary>
    public static string Compute(IEnumerable<(string Path, byte[] Sha256)> files)
    {
        var text = new StringBuilder();
        foreach (var (path, sha256) in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            text.Append(path).Append('\n').Append(Convert.ToHexStringLower(sha256)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Hashes each file under <paramref name="root"/> and returns the digest. A missing file throws FileNotFoundException.</summary>
    public static async Task<string> ComputeAsync(string root, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var hashed = new List<(string Path, byte[] Sha256)>(files.Count);
        foreach (var file in files)
        {
            using var stream = File.OpenRead(Path.Combine(root, file));
            hashed.Add((file, await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)));
        }
        return Compute(hashed);
    }

    /// <summary>Builds a marker for <paramref name="files"/> (sorted and validated here) — what the build writes.</summary>
    public static async Task<InstallMarker> CreateAsync(string name, string version, string revision, DateTimeOffset buildDate,
        string root, IEnumerable<string> files, string? rootPrefix, CancellationToken cancellationToken)
    {
        var sorted = files.Distinct(StringComparer.Ordinal).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var marker = new InstallMarker(name, version, revision, buildDate.ToUniversalTime(), root, sorted, new string('0', 64));
        Validate(marker);
        return marker with { Sha256 = await ComputeAsync(ResolveRoot(root, rootPrefix), sorted, cancellationToken).ConfigureAwait(false) };
    }

    /// <summary>Where <c>root</c> is on this machine: itself, or below <paramref name="rootPrefix"/> (tests, image extracts).</summary>
    public static string ResolveRoot(string root, string? rootPrefix) =>
        string.IsNullOrEmpty(rootPrefix) ? root : Path.Join(rootPrefix, root.TrimStart('/'));

    public static string Serialize(InstallMarker marker)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("name", marker.Name);
            json.WriteString("version", marker.Version);
            json.WriteString("revision", marker.Revision);
            json.WriteString("buildDate", marker.BuildDate.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteString("root", marker.Root);
            json.WriteStartArray("files");
            foreach (var file in marker.Files)
            {
                json.WriteStringValue(file);
            }

            json.WriteEndArray();
            json.WriteString("sha256", marker.Sha256);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Reads and validates a marker; throws <see cref="InstallMarkerFormatException"/> naming the problem.</summary>
    public static InstallMarker Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new InstallMarkerFormatException("the file is empty");
        }

        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new InstallMarkerFormatException($"not valid JSON: {e.Message}"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InstallMarkerFormatException("expected a JSON object");
            }

            var buildDateText = RequiredString(root, "buildDate");
            if (!buildDateText.EndsWith('Z') || !DateTimeOffset.TryParse(buildDateText, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var buildDate))
            {
                throw new InstallMarkerFormatException($"field 'buildDate' is '{buildDateText}': expected an ISO-8601 UTC time such as 2026-11-28T10:00:00Z");
            }

            if (!root.TryGetProperty("files", out var filesElement) || filesElement.ValueKind != JsonValueKind.Array)
            {
                throw new InstallMarkerFormatException("field 'files' is missing: expected an array of relative paths");
            }

            var files = filesElement.EnumerateArray().Select(f => f.ValueKind == JsonValueKind.String ? f.GetString()! : throw new InstallMarkerFormatException("field 'files' must contain only strings")).ToList();
            var marker = new InstallMarker(RequiredString(root, "name"), RequiredString(root, "version"), RequiredString(root, "revision"), buildDate, RequiredString(root, "root"), files, RequiredString(root, "sha256"));
            Validate(marker);
            return marker;
        }
    }

    /// <summary>Checks every field's shape; throws <see cref="InstallMarkerFormatException"/> on the first problem.</summary>
    public static void Validate(InstallMarker marker)
    {
        if (marker.Name.Length == 0 || !marker.Name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
        {
            throw new InstallMarkerFormatException($"field 'name' is '{marker.Name}': expected lowercase letters, digits, '-', '_' or '.'");
        }

        if (marker.Version.Length == 0)
        {
            throw new InstallMarkerFormatException("field 'version' is empty");
        }

        if (marker.Revision != "unknown" && !IsLowerHex(marker.Revision, 40))
        {
            throw new InstallMarkerFormatException($"field 'revision' is '{marker.Revision}': expected a 40-character lowercase git sha or 'unknown'");
        }

        if (!marker.Root.StartsWith('/'))
        {
            throw new InstallMarkerFormatException($"field 'root' is '{marker.Root}': expected an absolute path such as /app");
        }

        if (marker.Files.Count == 0)
        {
            throw new InstallMarkerFormatException("field 'files' is empty: a marker must vouch for at least one file");
        }

        for (var i = 0; i < marker.Files.Count; i++)
        {
            var file = marker.Files[i];
            if (file.Length == 0 || file.StartsWith('/') || file.Contains('\\', StringComparison.Ordinal) || file.Split('/').Any(s => s is "" or "." or ".."))
            {
                throw new InstallMarkerFormatException($"field 'files' has '{file}': expected a relative path without '..', '.', '\\' or empty segments");
            }

            if (i > 0 && string.CompareOrdinal(marker.Files[i - 1], file) >= 0)
            {
                throw new InstallMarkerFormatException($"field 'files' has '{marker.Files[i - 1]}' before '{file}': expected sorted (ordinal) and without duplicates");
            }
        }
        if (!IsLowerHex(marker.Sha256, 64))
        {
            throw new InstallMarkerFormatException($"field 'sha256' is '{marker.Sha256}': expected 64 lowercase hex characters");
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InstallMarkerFormatException($"field '{name}' is missing or not a string");

    private static bool IsLowerHex(string value, int length) =>
        value.Length == length && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
