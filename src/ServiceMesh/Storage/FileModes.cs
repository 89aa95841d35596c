using Microsoft.Win32.SafeHandles;

namespace ServiceMesh.Storage;

/// <summary>
/// Modes of everything the runtime creates, whatever the umask: secrets and state 0600/0700 (the mesh user's alone),
/// what a sidecar running as another user reads 0644/0755. open(2) and mkdir(2) modes are masked by the umask, so each
/// is then set exactly before any content is visible under its final name.
/// </summary>
internal static class FileModes
{
    /// <summary>0600: keys, registry state, registrations.</summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0644: certificates, the trust bundle, revocation lists, Envoy files.</summary>
    public const UnixFileMode Readable = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>0700: folders of state only the mesh reads.</summary>
    public const UnixFileMode PrivateFolder = Private | UnixFileMode.UserExecute;

    /// <summary>0755: folders a sidecar must pass through to reach its files.</summary>
    public const UnixFileMode ReadableFolder = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The folder mode that goes with a file mode: whoever may read the file may pass through its folder.</summary>
    public static UnixFileMode FolderFor(UnixFileMode fileMode) => fileMode == Private ? PrivateFolder : ReadableFolder;

    /// <summary>
    /// Creates <paramref name="path"/> and every missing folder above it, each with <paramref name="mode"/> exactly.
    /// Folders that already exist are left as they are (a mounted volume's mode is its owner's choice).
    /// </summary>
    public static void CreateDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        var missing = new Stack<string>();
        for (string? level = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)); level is not null && !Directory.Exists(level); level = Path.GetDirectoryName(level))
        {
            missing.Push(level);
        }

        while (missing.TryPop(out var level))
        {
            Directory.CreateDirectory(level, mode); // one level: its parent exists
            File.SetUnixFileMode(level, mode);
        }
    }

    /// <summary>Sets the mode of an open file (fchmod): the umask took bits away when it was created.</summary>
    public static void Set(SafeFileHandle file, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, mode);
        }
    }

    /// <summary>
    /// <see cref="Repair"/> as a best effort, for what an earlier version left with the umask's bits: a file the mesh can
    /// use but not chmod is not its own, which is worth a warning, not a refused start. Returns why it failed, or null.
    /// </summary>
    public static string? TryRepair(string path, UnixFileMode mode)
    {
        try
        {
            if (File.Exists(path) || Directory.Exists(path))
            {
                Repair(path, mode);
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>Sets the mode of a file or folder the runtime owns entirely, when it differs (one left by an earlier version).</summary>
    public static void Repair(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) != mode)
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
