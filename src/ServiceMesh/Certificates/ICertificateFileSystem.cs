namespace ServiceMesh.Certificates;

/// <summary>
/// The file operations certificate storage is built from. An interface so tests can inject a failing write and
/// prove that what was on disk before stays intact.
/// </summary>
internal interface ICertificateFileSystem
{
    /// <summary>0600: private keys.</summary>
    const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0644: certificates, the trust bundle, revocation state.</summary>
    const UnixFileMode PublicMode = PrivateMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Replaces <paramref name="path"/> atomically: temp file in the same folder, write, fsync, rename, fsync the folder.</summary>
    void WriteAtomic(string path, ReadOnlySpan<byte> content, UnixFileMode mode);

    /// <summary>Writes a file that does not exist yet (inside a folder nobody reads yet) and fsyncs it.</summary>
    void WriteNew(string path, ReadOnlySpan<byte> content, UnixFileMode mode);

    /// <summary>Points the symbolic link <paramref name="link"/> at <paramref name="target"/> in one rename, then fsyncs its folder.</summary>
    void ReplaceLink(string link, string target);

    void CreateDirectory(string path);

    void SyncDirectory(string path);

    byte[]? ReadIfExists(string path);

    void DeleteFile(string path);

    void DeleteDirectory(string path);
}
