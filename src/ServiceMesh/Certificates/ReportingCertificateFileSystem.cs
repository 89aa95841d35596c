using ServiceMesh.Storage;

namespace ServiceMesh.Certificates;

/// <summary>
/// The certificate file layer, reporting each write to <see cref="StorageFaults"/> as "certificates": a failed write
/// (full or read-only CERTIFICATES_PATH) degrades storage health until a write succeeds. An API request refused by such
/// a write is reported by the route as refusing writes (<see cref="RefusedRequest"/>).
/// </summary>
internal sealed class ReportingCertificateFileSystem(ICertificateFileSystem inner, StorageFaults faults, string folder) : ICertificateFileSystem
{
    /// <summary>The name this writer reports its faults under.</summary>
    public const string Writer = "certificates";

    private const string ProbePrefix = ".write-probe-";

    public string Folder => folder;

    /// <summary>A request the API refused because certificates could not be written: unhealthy until a write succeeds.</summary>
    public void RefusedRequest(Exception error) => faults.Failed(Writer, folder, error, refusesWrites: true);

    /// <summary>
    /// While writes are failing, tries one small write (created, fsynced, removed) in CERTIFICATES_PATH, so a fault that
    /// nothing else would retry (a refused request) clears once the disk takes writes again. Nothing when all is well.
    /// </summary>
    public void ProbeIfFailing()
    {
        if (faults.Of(Writer) is null)
        {
            return;
        }

        var probe = Path.Combine(folder, $"{ProbePrefix}{Guid.NewGuid():N}");
        try
        {
            WriteNew(probe, [1], ICertificateFileSystem.PrivateMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // reported by WriteNew
        }
        finally
        {
            try { inner.DeleteFile(probe); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    public void WriteAtomic(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        try { inner.WriteAtomic(path, content, mode); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Report(e); throw; }
        faults.Succeeded(Writer);
    }

    public void WriteNew(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        try { inner.WriteNew(path, content, mode); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Report(e); throw; }
        faults.Succeeded(Writer);
    }

    public void ReplaceLink(string link, string target)
    {
        try { inner.ReplaceLink(link, target); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Report(e); throw; }
        faults.Succeeded(Writer);
    }

    public void CreateDirectory(string path, UnixFileMode mode)
    {
        try { inner.CreateDirectory(path, mode); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Report(e); throw; }
    }

    public void SyncDirectory(string path)
    {
        try { inner.SyncDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Report(e); throw; }
    }

    public void RepairMode(string path, UnixFileMode mode) => inner.RepairMode(path, mode);

    public byte[]? ReadIfExists(string path) => inner.ReadIfExists(path);

    public void DeleteFile(string path) => inner.DeleteFile(path);

    public void DeleteDirectory(string path) => inner.DeleteDirectory(path);

    // A refused request's "refuses writes" stays until a write succeeds; a background write alone only delays output.
    private void Report(Exception e) => faults.Failed(Writer, folder, e, refusesWrites: faults.Of(Writer)?.RefusesWrites ?? false);
}
