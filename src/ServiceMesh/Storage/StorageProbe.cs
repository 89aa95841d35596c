using ServiceMesh.Configuration;

namespace ServiceMesh.Storage;

/// <summary>Why a folder the runtime needs cannot be written, with the fix a person can apply.</summary>
internal sealed record StorageProblem(WritableFolder Folder, string Error)
{
    public override string ToString() =>
        $"{Folder.EnvironmentName}={Folder.Path} is not writable: {Error}. Fix: mount a writable volume at {Folder.Path}, owned by 65532:65532.";
}

/// <summary>
/// Proves a folder is writable the only reliable way: create it if missing, then write, fsync and delete a file.
/// (Permission bits lie on read-only mounts and for root: only a real write tells.)
/// </summary>
internal static class StorageProbe
{
    public static StorageProblem? Probe(WritableFolder folder)
    {
        var probe = Path.Combine(folder.Path, $".write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            // Created only when missing (an existing folder, a mounted volume, keeps the mode its owner gave it).
            FileModes.CreateDirectory(folder.Path, folder.ReadBySidecars ? FileModes.ReadableFolder : FileModes.PrivateFolder);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1, Options = FileOptions.WriteThrough };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileModes.Private;
            }

            using (var stream = new FileStream(probe, options))
            {
                stream.WriteByte(1);
                stream.Flush(flushToDisk: true);
            }
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return new StorageProblem(folder, Describe(e) + FileInTheWay(folder.Path));
        }
    }

    // .NET reports ENOTDIR as "Could not find a part of the path"; say which file is in the way.
    private static string FileInTheWay(string path)
    {
        for (var current = Path.GetDirectoryName(path); current is not null; current = Path.GetDirectoryName(current))
        {
            if (File.Exists(current))
            {
                return $" ({current} is a file, not a folder)";
            }
        }

        return "";
    }

    public static IReadOnlyList<StorageProblem> ProbeAll(IEnumerable<WritableFolder> folders) =>
        folders.Select(Probe).OfType<StorageProblem>().ToList();

    // .NET wraps errno text in its own message; keep it (it names the path and the system's reason) without a trailing period.
    private static string Describe(Exception e) =>
        (e is UnauthorizedAccessException && e.InnerException is IOException inner ? inner.Message : e.Message).TrimEnd('.');
}
