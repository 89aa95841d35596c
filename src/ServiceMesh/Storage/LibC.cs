using System.Runtime.InteropServices;

namespace ServiceMesh.Storage;

/// <summary>The few libc calls .NET does not expose: fsync of a directory and rename(2) of a symbolic link itself. Shared by every capability that writes durable files.</summary>
internal static partial class LibC
{
    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000;

    // O_DIRECTORY differs by architecture: 0x10000 on x86-64, 0x4000 on arm64 (the image's platform).
    private static int DirectoryFlag => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    /// <summary>Makes a rename or a new entry in <paramref name="directory"/> durable (the entry lives in the directory, not the file).</summary>
    public static void SyncDirectory(string directory)
    {
        var fd = Open(directory, ReadOnly | DirectoryFlag | CloseOnExec);
        if (fd < 0)
        {
            throw Failure("open", directory);
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw Failure("fsync", directory);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>rename(2): atomic replacement of <paramref name="to"/>, also when both are symbolic links (File.Move may follow them).</summary>
    public static void RenameOver(string from, string to)
    {
        if (Rename(from, to) != 0)
        {
            throw Failure("rename", $"{from} -> {to}");
        }
    }

    private static IOException Failure(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} {path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);
}
