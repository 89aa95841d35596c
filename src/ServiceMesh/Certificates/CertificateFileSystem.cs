using ServiceMesh.Storage;

namespace ServiceMesh.Certificates;

/// <summary>The real file layer (Linux): durable, atomic replacement of files and links.</summary>
internal sealed class CertificateFileSystem : ICertificateFileSystem
{
    public static readonly CertificateFileSystem Instance = new();

    public void WriteAtomic(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var folder = Path.GetDirectoryName(path)!;
        // Same folder as the target, so the rename never crosses a file system; a dot prefix keeps it out of listings.
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            WriteNew(temp, content, mode);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        LibC.SyncDirectory(folder);
    }

    public void WriteNew(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        // The mode is set at creation, so a key is never readable by others, not even for an instant.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = mode;
        using var stream = new FileStream(path, options);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    public void ReplaceLink(string link, string target)
    {
        var folder = Path.GetDirectoryName(link)!;
        var temp = Path.Combine(folder, $".{Path.GetFileName(link)}.{Guid.NewGuid():N}.lnk");
        File.CreateSymbolicLink(temp, target);
        try
        {
            LibC.RenameOver(temp, link);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        LibC.SyncDirectory(folder);
    }

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public void SyncDirectory(string path) => LibC.SyncDirectory(path);

    public byte[]? ReadIfExists(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public void DeleteFile(string path) => File.Delete(path);

    public void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
    }
}
