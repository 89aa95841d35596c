using ServiceMesh.Storage;

namespace ServiceMesh.Certificates;

/// <summary>The real file layer (Linux): durable, atomic replacement of files and links.</summary>
internal sealed class CertificateFileSystem : ICertificateFileSystem
{
    public static readonly CertificateFileSystem Instance = new();

    public void WriteAtomic(string path, ReadOnlySpan<byte> content, UnixFileMode mode) => AtomicFile.Write(path, content, mode);

    public void WriteNew(string path, ReadOnlySpan<byte> content, UnixFileMode mode) => AtomicFile.WriteNew(path, content, mode);

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

    public void CreateDirectory(string path, UnixFileMode mode) => FileModes.CreateDirectory(path, mode);

    public void RepairMode(string path, UnixFileMode mode) => FileModes.Repair(path, mode);

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
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
