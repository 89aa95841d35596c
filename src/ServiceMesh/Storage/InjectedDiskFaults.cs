using System.Collections.Immutable;

namespace ServiceMesh.Storage;

/// <summary>
/// An injected full disk: while a folder is "full", every <see cref="AtomicFile"/> write below it fails with ENOSPC
/// before anything is created. Tests run as root (read-only modes do not stop them) and a small tmpfs needs mount
/// privileges. Keyed by folder so side-by-side tests do not collide; empty in production.
/// </summary>
internal static class InjectedDiskFaults
{
    /// <summary>errno ENOSPC, "No space left on device".</summary>
    public const int NoSpace = 28;

    private static ImmutableList<string> _full = [];

    /// <summary>Makes writes below <paramref name="folder"/> fail until the returned handle is disposed (space is back).</summary>
    public static IDisposable Fill(string folder)
    {
        var prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        ImmutableInterlocked.Update(ref _full, list => list.Add(prefix));
        return new Freed(prefix);
    }

    /// <summary>Throws what a full disk throws when <paramref name="path"/> lies in a folder made full by <see cref="Fill"/>.</summary>
    public static void ThrowIfFull(string path)
    {
        var full = Volatile.Read(ref _full);
        if (full.IsEmpty)
        {
            return;
        }

        var target = Path.GetFullPath(path);
        if (full.Exists(prefix => target.StartsWith(prefix, StringComparison.Ordinal)))
        {
            throw new IOException($"No space left on device : '{path}'", NoSpace);
        }
    }

    private sealed class Freed(string prefix) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                ImmutableInterlocked.Update(ref _full, list => list.Remove(prefix));
            }
        }
    }
}
