using System.Text;
using System.Text.RegularExpressions;

namespace ServiceMesh.Storage;

/// <summary>
/// Replaces a file so a reader sees the old content or the new, never a part, and the new survives a crash once this
/// returns: temporary file in the same folder, fsync, rename, fsync the folder. The rename is the "moved to" event
/// Envoy's watched_directory reacts to; the mode (<see cref="FileModes"/>) is set before it, never left to the umask.
/// </summary>
internal static partial class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// The temporary file a write of <paramref name="path"/> goes through: <c>.&lt;name&gt;.&lt;32 hex digits&gt;.tmp</c> in the same
    /// folder. A dot-name no reader loads; unique so two writers cannot share one. A kill between the write and the
    /// rename leaves it behind; <see cref="LeftoverTemporaries"/> removes exactly these names at start.
    /// </summary>
    public static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");

    /// <summary>True for a file name <see cref="TemporaryPathFor"/> produces, and for nothing else.</summary>
    public static bool IsTemporaryName(string fileName) => TemporaryName().IsMatch(fileName);

    [GeneratedRegex("^\\..+\\.[0-9a-f]{32}\\.tmp\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();

    /// <param name="mode">Set when the temporary file is created, so a key is never readable by others, not even for an instant.</param>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var folder = Path.GetDirectoryName(path)!;
        var temporary = TemporaryPathFor(path);
        try
        {
            WriteNew(temporary, content, mode);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        LibC.SyncDirectory(folder);
    }

    /// <summary>
    /// Writes <paramref name="content"/> (UTF-8) unless the file already holds exactly that with <paramref name="mode"/>,
    /// creating missing folders (mode <see cref="FileModes.FolderFor"/>). True when written.
    /// </summary>
    public static bool WriteIfChanged(string path, string content, UnixFileMode mode)
    {
        var bytes = Utf8.GetBytes(content);
        if (HasContent(path, bytes, mode))
        {
            return false;
        }

        FileModes.CreateDirectory(Path.GetDirectoryName(path)!, FileModes.FolderFor(mode));
        Write(path, bytes, mode);
        return true;
    }

    /// <summary>Creates a file that must not exist yet, with its content on disk (fsync) before this returns.</summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        InjectedDiskFaults.ThrowIfFull(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode; // masked by the umask: at most these bits, never more
        }

        using var stream = new FileStream(path, options);
        FileModes.Set(stream.SafeFileHandle, mode); // exactly these bits, before any content
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    // A file with the right content but another mode (written by an earlier version) is written again.
    private static bool HasContent(string path, byte[] expected, UnixFileMode mode)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length != expected.Length || (!OperatingSystem.IsWindows() && info.UnixFileMode != mode))
            {
                return false;
            }

            return File.ReadAllBytes(path).AsSpan().SequenceEqual(expected);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // unreadable: rewrite it
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
