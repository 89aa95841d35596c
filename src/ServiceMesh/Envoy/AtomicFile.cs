using System.Text;
using ServiceMesh.Storage;

namespace ServiceMesh.Envoy;

/// <summary>
/// Replaces a file the way Envoy's watches need: write a temporary file in the same folder, fsync it, rename it
/// over the target, fsync the folder. The rename is atomic (same filesystem), so a reader sees the old or the new content, never
/// a part; and a rename is the "moved to" event watched_directory reacts to.
/// </summary>
internal static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="content"/> unless the file already holds exactly that. True when written.</summary>
    public static bool WriteIfChanged(string path, string content)
    {
        var bytes = Utf8.GetBytes(content);
        if (HasContent(path, bytes))
            return false;
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        // A dot-name Envoy never loads; unique so two writers cannot share a temporary file.
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            LibC.SyncDirectory(folder); // the rename itself must survive a crash, not only the content
            return true;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static bool HasContent(string path, byte[] expected)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length != expected.Length)
                return false;
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
