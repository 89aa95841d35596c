using System.Security.Cryptography;
using System.Text;
using ServiceMesh.Install;

namespace ServiceMesh.Build.Verification;

/// <summary>
/// Every expected marker exists, is non-empty and valid, and the digest it records matches the files in the image
/// (the earlier container's silently empty COPY would fail here). Same digest code as verify-install.
/// </summary>
internal static class MarkerRules
{
    public const string MarkersDirectory = "/app/markers";

    public static async Task<IReadOnlyList<CheckResult>> CheckAsync(ImageFileReader files, CancellationToken cancellationToken)
    {
        var tree = await files.ReadTreeAsync(MarkersDirectory, cancellationToken);
        var results = new List<CheckResult>();
        foreach (var name in ImageExpectations.Markers)
        {
            results.Add(await MarkerAsync(files, name, tree.GetValueOrDefault($"{MarkersDirectory}/{name}.json"), cancellationToken));
        }

        return results;
    }

    private static async Task<CheckResult> MarkerAsync(ImageFileReader files, string name, ImageFile? file, CancellationToken cancellationToken)
    {
        var check = $"marker: {name}";
        if (file is null)
        {
            return CheckResult.Fail(check, $"{MarkersDirectory}/{name}.json missing");
        }

        if (file.Content.Length == 0)
        {
            return CheckResult.Fail(check, $"{MarkersDirectory}/{name}.json is empty");
        }

        InstallMarker marker;
        try
        {
            marker = MarkerDigest.Parse(Encoding.UTF8.GetString(file.Content));
        }
        catch (InstallMarkerFormatException e)
        {
            return CheckResult.Fail(check, $"invalid: {e.Message}");
        }

        if (marker.Name != name)
        {
            return CheckResult.Fail(check, $"names itself '{marker.Name}'");
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
            return CheckResult.Fail(check, $"vouches for missing file(s): {string.Join(", ", missing)}");
        }

        var actual = MarkerDigest.Compute(hashed);
        return actual == marker.Sha256
            ? CheckResult.Pass(check, $"{marker.Version} {ShortRevision(marker.Revision)} {marker.BuildDate:yyyy-MM-ddTHH:mm:ssZ}: {marker.Files.Count} file(s) match {marker.Sha256[..12]}")
            : CheckResult.Fail(check, $"digest mismatch: recorded {marker.Sha256[..12]}, files give {actual[..12]} (a file under {marker.Root} changed after the build)");
    }

    private static string ShortRevision(string revision) => revision.Length > 12 ? revision[..12] : revision;
}
