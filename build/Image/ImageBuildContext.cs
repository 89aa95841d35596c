using ServiceMesh.Build.Engine;
using ServiceMesh.Install;

namespace ServiceMesh.Build.Image;

/// <summary>
/// Lays out the Docker build context: <c>app/</c> (binary, default config, markers) and <c>writable/</c> (empty folders
/// the runtime writes to). Every file and folder gets the build date as its time, so the context, and with it the
/// COPY layers, depend only on the commit.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class ImageBuildContext
{
    public const string ExecutableName = "service-mesh";
    public static readonly string[] WritableFolders = ["certificates", "envoy-configs", "data", "logs"];

    /// <summary>Creates the context in <paramref name="contextDirectory"/> (emptied first) and returns the markers it wrote.</summary>
    public static async Task<IReadOnlyList<InstallMarker>> CreateAsync(
        string contextDirectory, string publishDirectory, BaseContent baseContent, ImageStamp stamp, CancellationToken cancellationToken)
    {
        var binary = Path.Combine(publishDirectory, ExecutableName);
        var configSource = Path.Combine(publishDirectory, "config");
        var configFiles = Directory.Exists(configSource) ? Directory.GetFiles(configSource, "*.yaml").Order(StringComparer.Ordinal).ToList() : [];
        if (!File.Exists(binary) || new FileInfo(binary).Length == 0 || configFiles.Count == 0)
        {
            throw new BuildFailureException($"{publishDirectory} has no non-empty {ExecutableName} or no config/*.yaml: run Publish for this platform first.");
        }

        if (Directory.Exists(contextDirectory))
        {
            Directory.Delete(contextDirectory, recursive: true);
        }

        var app = Path.Combine(contextDirectory, "app");
        Directory.CreateDirectory(Path.Combine(app, "config"));
        Directory.CreateDirectory(Path.Combine(app, "markers"));
        // Only the binary: its .dbg file (symbols) stays out of the image.
        File.Copy(binary, Path.Combine(app, ExecutableName));
        File.SetUnixFileMode(Path.Combine(app, ExecutableName), (UnixFileMode)0b111_101_101);
        foreach (var file in configFiles)
        {
            File.Copy(file, Path.Combine(app, "config", Path.GetFileName(file)));
        }

        foreach (var folder in WritableFolders)
        {
            Directory.CreateDirectory(Path.Combine(contextDirectory, "writable", folder));
        }

        var markers = new List<InstallMarker>
        {
            BaseMarker(baseContent, stamp),
            await MarkerDigest.CreateAsync("application", stamp.Version, stamp.Revision, stamp.BuildDate, "/app", [ExecutableName], contextDirectory, cancellationToken),
            await MarkerDigest.CreateAsync("configuration", stamp.Version, stamp.Revision, stamp.BuildDate, "/app",
                configFiles.Select(f => "config/" + Path.GetFileName(f)), contextDirectory, cancellationToken),
        };
        foreach (var marker in markers)
        {
            await File.WriteAllTextAsync(Path.Combine(app, "markers", marker.Name + ".json"), MarkerDigest.Serialize(marker), cancellationToken);
        }

        SetTimes(contextDirectory, stamp.BuildDate);
        return markers;
    }

    /// <summary>The base marker vouches for files already in the base image; their digest was recorded when the base was built.</summary>
    private static InstallMarker BaseMarker(BaseContent content, ImageStamp stamp)
    {
        var marker = new InstallMarker("base", stamp.Version, stamp.Revision, stamp.BuildDate.ToUniversalTime(), "/", content.MarkerFiles, content.MarkerSha256);
        MarkerDigest.Validate(marker);
        return marker;
    }

    private static void SetTimes(string root, DateTimeOffset time)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
        {
            if (File.Exists(path))
            {
                File.SetLastWriteTimeUtc(path, time.UtcDateTime);
            }
            else
            {
                Directory.SetLastWriteTimeUtc(path, time.UtcDateTime);
            }
        }
    }
}
