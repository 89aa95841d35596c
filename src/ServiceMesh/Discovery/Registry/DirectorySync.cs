using System.Runtime.InteropServices;
using System.Text;

namespace ServiceMesh.Discovery.Registry;

/// <summary>
/// fsync of a directory, so a newly created or renamed file's name is durable too (not only its content).
/// .NET cannot open a directory as a file, hence two libc calls; glibc is always "libc.so.6".
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = Open(Encoding.UTF8.GetBytes(directory + "\0"), ReadOnlyDirectory);
        if (fd < 0)
            throw new IOException($"cannot open {directory} to flush it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"fsync of {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte[] path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);
}
