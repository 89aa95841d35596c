using ServiceMesh.Storage;

namespace ServiceMesh.Certificates;

/// <summary>
/// The file operations certificate storage is built from. An interface so tests can inject a failing write and
/// prove that what was on disk before stays intact.
/// </summary>
internal interface ICertificateFileSystem
{
    /// <summary>0600: private keys (the CA's and the leaves').</summary>
    const UnixFileMode PrivateMode = FileModes.Private;

    /// <summary>0644: certificates, the trust bundle, revocation state.</summary>
    const UnixFileMode PublicMode = FileModes.Readable;

    /// <summary>0755: CERTIFICATES_PATH when the runtime creates it, and the .svid folders leading to a sidecar's pair.</summary>
    const UnixFileMode FolderMode = FileModes.ReadableFolder;

    /// <summary>Replaces <paramref name="path"/> atomically: temp file in the same folder, write, fsync, rename, fsync the folder.</summary>
    void WriteAtomic(string path, ReadOnlySpan<byte> content, UnixFileMode mode);

    /// <summary>Writes a file that does not exist yet (inside a folder nobody reads yet) and fsyncs it.</summary>
    void WriteNew(string path, ReadOnlySpan<byte> content, UnixFileMode mode);

    /// <summary>Points the symbolic link <paramref name="link"/> at <paramref name="target"/> in one rename, then fsyncs its folder.</summary>
    void ReplaceLink(string link, string target);

    /// <summary>Creates <paramref name="path"/> and each missing folder above it with <paramref name="mode"/> exactly, whatever the umask.</summary>
    void CreateDirectory(string path, UnixFileMode mode);

    /// <summary>Sets an existing file or folder the runtime owns to <paramref name="mode"/> if it has another (left by an earlier version).</summary>
    void RepairMode(string path, UnixFileMode mode);

    void SyncDirectory(string path);

    byte[]? ReadIfExists(string path);

    void DeleteFile(string path);

    void DeleteDirectory(string path);
}
