using ServiceMesh.Build.Engine;
using ServiceMesh.Install;

namespace ServiceMesh.Build.Image;

/// <summary>
/// One image's build context: a tar, sent on stdin (<c>docker build -</c>), whose bytes depend only on the content:
/// <c>Dockerfile</c>, <c>app/</c> (binary, default config, markers), empty <c>writable/</c> folders, the build date as
/// every entry's time, root owner, fixed modes. Equal <paramref name="ArchiveSha256"/> means exactly the same context.
/// </summary>
internal sealed record ImageContext(string Archive, string ArchiveSha256, string BinarySha256, IReadOnlyList<InstallMarker> Markers)
{
    /// <summary>The Dockerfile's name inside the archive (what <c>--file</c> names when the context comes from stdin).</summary>
    public const string DockerfileName = "Dockerfile";
}

/// <summary>
/// Packs the Docker build context as an archive, not a folder: BuildKit/buildx send a folder incrementally and judge
/// files unchanged by size, time and mode, so with every file dated the build date they can keep an older binary and
/// markers (issue 11). An archive on stdin is sent whole; its content alone decides the COPY layers.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class ImageBuildContext
{
    public const string ExecutableName = "service-mesh";
    /// <summary>Where the context's app/ lands in the image (the Dockerfile copies it to /app/).</summary>
    public const string InstallRoot = "/app";
    public const string ExecutablePath = InstallRoot + "/" + ExecutableName;
    public const string ArchiveName = "context.tar";
    public static readonly string[] WritableFolders = ["certificates", "envoy-configs", "data", "logs"];

    private const UnixFileMode Executable = (UnixFileMode)0b111_101_101; // 0755, also every folder
    private const UnixFileMode Readable = (UnixFileMode)0b110_100_100; // 0644

    /// <summary>
    /// Lays the context out in <paramref name="workDirectory"/>/context (emptied first), packs it into
    /// <paramref name="workDirectory"/>/context.tar and returns what it holds.
    /// </summary>
    public static async Task<ImageContext> CreateAsync(
        string workDirectory, string publishDirectory, string dockerfile, BaseContent baseContent, ImageStamp stamp, CancellationToken cancellationToken)
    {
        var binary = Path.Combine(publishDirectory, ExecutableName);
        var configSource = Path.Combine(publishDirectory, "config");
        var configFiles = Directory.Exists(configSource) ? Directory.GetFiles(configSource, "*.yaml").Order(StringComparer.Ordinal).ToList() : [];
        if (!File.Exists(binary) || new FileInfo(binary).Length == 0 || configFiles.Count == 0)
        {
            throw new BuildFailureException($"{publishDirectory} has no non-empty {ExecutableName} or no config/*.yaml: run Publish for this platform first.");
        }

        var contextDirectory = Path.Combine(workDirectory, "context");
        if (Directory.Exists(contextDirectory))
        {
            Directory.Delete(contextDirectory, recursive: true);
        }

        var app = Path.Combine(contextDirectory, "app");
        Directory.CreateDirectory(Path.Combine(app, "config"));
        Directory.CreateDirectory(Path.Combine(app, "markers"));
        File.Copy(dockerfile, Path.Combine(contextDirectory, ImageContext.DockerfileName));
        // Only the binary: its .dbg file (symbols) stays out of the image.
        File.Copy(binary, Path.Combine(app, ExecutableName));
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
            await MarkerDigest.CreateAsync("application", stamp.Version, stamp.Revision, stamp.BuildDate, InstallRoot, [ExecutableName], contextDirectory, cancellationToken),
            await MarkerDigest.CreateAsync("configuration", stamp.Version, stamp.Revision, stamp.BuildDate, InstallRoot,
                configFiles.Select(f => "config/" + Path.GetFileName(f)), contextDirectory, cancellationToken),
        };
        foreach (var marker in markers)
        {
            await File.WriteAllTextAsync(Path.Combine(app, "markers", marker.Name + ".json"), MarkerDigest.Serialize(marker), cancellationToken);
        }

        // Modes set here, not inherited from the umask of whoever runs the build: they are part of the image.
        SetModes(contextDirectory, Path.Combine(app, ExecutableName));
        var archive = Path.Combine(workDirectory, ArchiveName);
        await using (var stream = File.Create(archive))
        {
            ReproducibleTar.Write(contextDirectory, stream, new Dictionary<string, TarOwner>(), stamp.BuildDate);
        }

        return new ImageContext(archive, await FileDigest.Sha256Async(archive, cancellationToken), await FileDigest.Sha256Async(binary, cancellationToken), markers);
    }

    /// <summary>The base marker vouches for files already in the base image; their digest was recorded when the base was built.</summary>
    private static InstallMarker BaseMarker(BaseContent content, ImageStamp stamp)
    {
        var marker = new InstallMarker("base", stamp.Version, stamp.Revision, stamp.BuildDate.ToUniversalTime(), "/", content.MarkerFiles, content.MarkerSha256);
        MarkerDigest.Validate(marker);
        return marker;
    }

    private static void SetModes(string root, string executable)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(path, Directory.Exists(path) || path == executable ? Executable : Readable);
        }
    }
}
