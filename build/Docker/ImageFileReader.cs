using System.Formats.Tar;

namespace ServiceMesh.Build.Docker;

/// <summary>A file read out of an image: its bytes, mode and type (links keep their target, not content).</summary>
internal sealed record ImageFile(string Path, TarEntryType Type, UnixFileMode Mode, byte[] Content, string LinkTarget)
{
    public bool IsRegularFile => Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile;
}

/// <summary>
/// Reads files out of a created, never-started container through the archive endpoint (a tar stream), so a
/// shell-less image is inspected without running anything in it.
/// </summary>
internal sealed class ImageFileReader
{
    private readonly IContainerEngine _engine;
    private readonly string _containerId;
    // The container never runs, so its files never change: file and marker rules read the binary and configs once.
    private readonly Dictionary<string, IReadOnlyDictionary<string, ImageFile>> _trees = new(StringComparer.Ordinal);

    public ImageFileReader(IContainerEngine engine, string containerId)
    {
        _engine = engine;
        _containerId = containerId;
    }

    /// <summary>The file at <paramref name="path"/>, or null when it does not exist.</summary>
    public async Task<ImageFile?> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        var files = await ReadTreeAsync(path, cancellationToken);
        return files.GetValueOrDefault(path.TrimEnd('/'));
    }

    /// <summary>Every entry at and below <paramref name="path"/>, keyed by absolute path; empty when the path does not exist.</summary>
    public async Task<IReadOnlyDictionary<string, ImageFile>> ReadTreeAsync(string path, CancellationToken cancellationToken)
    {
        if (!_trees.TryGetValue(path, out var tree))
        {
            _trees[path] = tree = await DownloadTreeAsync(path, cancellationToken);
        }

        return tree;
    }

    private async Task<IReadOnlyDictionary<string, ImageFile>> DownloadTreeAsync(string path, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, ImageFile>(StringComparer.Ordinal);
        using var archive = new MemoryStream();
        await using (var stream = await _engine.ReadArchiveAsync(_containerId, path, cancellationToken))
        {
            if (stream is null)
            {
                return result;
            }

            // Buffered whole (at most the binary, ~15 MB): TarReader's sub-streams over the engine's chunked response end early.
            await stream.CopyToAsync(archive, cancellationToken);
        }

        archive.Position = 0;
        // The archive names entries relative to the requested path's parent: /app/markers -> "markers/base.json".
        var parent = path.TrimEnd('/');
        parent = parent[..parent.LastIndexOf('/')];
        using var reader = new TarReader(archive);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var content = Array.Empty<byte>();
            if (entry.DataStream is { } data)
            {
                using var buffer = new MemoryStream();
                await data.CopyToAsync(buffer, cancellationToken);
                content = buffer.ToArray();
            }

            var absolute = $"{parent}/{entry.Name.TrimEnd('/')}";
            result[absolute] = new ImageFile(absolute, entry.EntryType, entry.Mode, content, entry.LinkName);
        }

        return result;
    }
}

/// <summary>The digest of one file in an image, read from a container that is created and never started.</summary>
internal static class ImageFileDigest
{
    /// <summary>Lowercase hex SHA-256 of <paramref name="path"/> in <paramref name="image"/>; null when it is not a regular file there.</summary>
    public static async Task<string?> Sha256Async(DockerEndpoint endpoint, string image, string path, CancellationToken cancellationToken)
    {
        using var engine = new DockerContainerEngine(endpoint);
        var id = await engine.CreateContainerAsync(new ContainerSpec(image, "none", new Dictionary<string, string>(), []), cancellationToken);
        try
        {
            var file = await new ImageFileReader(engine, id).ReadFileAsync(path, cancellationToken);
            return file is { IsRegularFile: true } ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file.Content)) : null;
        }
        finally
        {
            await engine.RemoveContainerAsync(id, CancellationToken.None);
        }
    }
}
