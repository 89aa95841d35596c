using System.Security.Cryptography;
using System.Text;
using ServiceMesh.Build.Docker;
using ServiceMesh.Install;

namespace ServiceMesh.Build.Verification;

/// <summary>
/// Every marker is non-empty and valid, its digest matches the image files (catches an empty COPY), and its version,
/// revision and date match the labels and --version (catches files from an earlier build).
/// </summary>
internal static class MarkerRules
{
    public const string MarkersDirectory = "/app/markers";

    public const string StampCheck = "markers: this build";

    public static async Task<IReadOnlyList<CheckResult>> CheckAsync(ImageFileReader files, ImageFacts image, ImageExpectations expected, CancellationToken cancellationToken)
    {
        var tree = await files.ReadTreeAsync(MarkersDirectory, cancellationToken);
        var results = new List<CheckResult>();
        var parsed = new List<InstallMarker>();
        foreach (var name in ImageExpectations.Markers)
        {
            var (result, marker) = await MarkerAsync(files, name, tree.GetValueOrDefault($"{MarkersDirectory}/{name}.json"), cancellationToken);
            results.Add(result);
            if (marker is not null)
            {
                parsed.Add(marker);
            }
        }

        results.Add(Stamp(parsed, image, expected));
        return results;
    }

    private static CheckResult Stamp(IReadOnlyList<InstallMarker> markers, ImageFacts image, ImageExpectations expected)
    {
        var labels = image.Labels;
        var revision = labels.GetValueOrDefault(LabelRules.Prefix + "revision", "");
        var created = DateTimeOffset.TryParse(labels.GetValueOrDefault(LabelRules.Prefix + "created"), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var date) ? date : (DateTimeOffset?)null;
        var wrong = markers
            .Select(m => (m.Name, Problems: new[]
            {
                m.Version == expected.Version ? null : $"version {m.Version}, expected {expected.Version}",
                m.Revision == revision ? null : $"revision {ShortRevision(m.Revision)}, label {ShortRevision(revision)}",
                created is { } c && m.BuildDate == c ? null : $"built {m.BuildDate:yyyy-MM-ddTHH:mm:ssZ}, label {labels.GetValueOrDefault(LabelRules.Prefix + "created", "(none)")}",
            }.OfType<string>().ToList()))
            .Where(m => m.Problems.Count > 0)
            .Select(m => $"{m.Name}: {string.Join(", ", m.Problems)}")
            .ToList();
        if (markers.Count == 0)
        {
            return CheckResult.Fail(StampCheck, "no readable marker");
        }

        return wrong.Count == 0
            ? CheckResult.Pass(StampCheck, $"{markers.Count} marker(s) say {expected.Version} {ShortRevision(revision)}, as the labels do")
            : CheckResult.Fail(StampCheck, $"marker(s) from another build: {string.Join("; ", wrong)}");
    }

    private static async Task<(CheckResult Result, InstallMarker? Marker)> MarkerAsync(ImageFileReader files, string name, ImageFile? file, CancellationToken cancellationToken)
    {
        var check = $"marker: {name}";
        if (file is null)
        {
            return (CheckResult.Fail(check, $"{MarkersDirectory}/{name}.json missing"), null);
        }

        if (file.Content.Length == 0)
        {
            return (CheckResult.Fail(check, $"{MarkersDirectory}/{name}.json is empty"), null);
        }

        InstallMarker marker;
        try
        {
            marker = MarkerDigest.Parse(Encoding.UTF8.GetString(file.Content));
        }
        catch (InstallMarkerFormatException e)
        {
            return (CheckResult.Fail(check, $"invalid: {e.Message}"), null);
        }

        if (marker.Name != name)
        {
            return (CheckResult.Fail(check, $"names itself '{marker.Name}'"), null);
        }

        var hashed = new List<(string Path, byte[] Sha256)>();
        var missing = new List<string>();
        foreach (var relative in marker.Files)
        {
            var path = marker.Root.TrimEnd('/') + "/" + relative;
            if (await files.ReadFileAsync(path, cancellationToken) is { IsRegularFile: true } content)
            {
                hashed.Add((relative, SHA256.HashData(content.Content)));
            }
            else
            {
                missing.Add(path);
            }
        }

        if (missing.Count > 0)
        {
            return (CheckResult.Fail(check, $"vouches for missing file(s): {string.Join(", ", missing)}"), marker);
        }

        var actual = MarkerDigest.Compute(hashed);
        return (actual == marker.Sha256
            ? CheckResult.Pass(check, $"{marker.Version} {ShortRevision(marker.Revision)} {marker.BuildDate:yyyy-MM-ddTHH:mm:ssZ}: {marker.Files.Count} file(s) match {marker.Sha256[..12]}")
            : CheckResult.Fail(check, $"digest mismatch: recorded {marker.Sha256[..12]}, files give {actual[..12]} (a file under {marker.Root} changed after the build)"), marker);
    }

    private static string ShortRevision(string revision) => revision.Length > 12 ? revision[..12] : revision;
}
