namespace ServiceMesh.Tests.Discovery;

/// <summary>
/// The registry log's disk, which a test can fill: <see cref="Open"/> is passed to RegistryLog.Open as its openLog, and
/// while <see cref="Full"/> is set a write puts half its bytes on disk and then fails as a full disk does.
/// </summary>
internal sealed class InjectedDisk
{
    private volatile bool _full;
    private volatile bool _cutBackFails;
    private int _refusedWrites;
    private volatile TaskCompletionSource _open = Opened();

    public bool Full { get => _full; set => _full = value; }

    /// <summary>Cutting the half-written frame back fails too (a disk gone read-only).</summary>
    public bool CutBackFails { get => _cutBackFails; set => _cutBackFails = value; }

    /// <summary>How many bytes the last refused write left on disk.</summary>
    public int HalfWritten { get; private set; }

    /// <summary>How many writes failed so far.</summary>
    public int RefusedWrites => Volatile.Read(ref _refusedWrites);

    /// <summary>Writes wait (a slow disk) until <see cref="Release"/>.</summary>
    public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _open.TrySetResult();

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }

    public FileStream Open(string path, FileMode mode) => new LogStream(this, path, mode);

    private sealed class LogStream(InjectedDisk disk, string path, FileMode mode) : FileStream(path, mode, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0)
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            disk._open.Task.Wait();
            if (!disk.Full)
            {
                base.Write(buffer);
                return;
            }
            Interlocked.Increment(ref disk._refusedWrites);
            disk.HalfWritten = buffer.Length / 2;
            base.Write(buffer[..disk.HalfWritten]);
            throw new IOException("No space left on device");
        }

        public override void SetLength(long value)
        {
            if (disk.CutBackFails)
            {
                throw new IOException("Read-only file system");
            }

            base.SetLength(value);
        }
    }
}
