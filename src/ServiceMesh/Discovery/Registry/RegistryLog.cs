using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using System.Threading.Channels;
using ServiceMesh.Storage;

namespace ServiceMesh.Discovery.Registry;

/// <summary>Durable state: <c>registry.snapshot</c> plus append-only <c>registry.log</c> ([length][crc32][json]).
/// Batches apply (<see cref="ApplyCommitted"/>) only after a shared fsync (group commit: thousands of writes/s); a torn
/// last frame is cut on open. Not SQLite: a native library beside the single AOT executable.</summary>
internal sealed partial class RegistryLog : IAsyncDisposable
{
    public const string LogFileName = "registry.log";
    public const string SnapshotFileName = "registry.snapshot";
    private const int HeaderBytes = 8;
    private const int MaxFrameBytes = 16 * 1024 * 1024;
    private const string Writer = "registry"; // as StorageFaults names it

    private readonly string _folder;
    private readonly int _compactAfter;
    private readonly ILogger _logger;
    private readonly Func<string, FileMode, FileStream> _openLog;
    private FileStream? _log; // opened at the first write, so a registry that was never written leaves DATA_PATH empty
    private readonly StorageFaults? _faults;
    private readonly Channel<PendingRecord> _pending = Channel.CreateUnbounded<PendingRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private int _sinceSnapshot;
    private bool _behind; // a refused frame could not be cut back: the next write starts with a snapshot, which empties the log
    private bool _failing; // the last batch failed: logged once when writes start failing, once when they work again

    private RegistryLog(string folder, int compactAfter, ILogger logger, Func<string, FileMode, FileStream> openLog, StorageFaults? faults,
        IReadOnlyList<LogRecord> recovered, FileStream? log, int logRecords)
    {
        _folder = folder;
        _compactAfter = compactAfter;
        _logger = logger;
        _openLog = openLog;
        _faults = faults;
        Recovered = recovered;
        _log = log;
        _sinceSnapshot = logRecords;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Records read at open (snapshot, then log), in order, for the store to replay.</summary>
    public IReadOnlyList<LogRecord> Recovered { get; }

    /// <summary>
    /// Set by the store: its current state, written as the next snapshot when the log grows long. It is taken between
    /// batches, when the store holds exactly what is durable.
    /// </summary>
    public Func<List<LogRecord>>? CaptureState { get; set; }

    /// <summary>
    /// Set by the store: applies a batch whose frames are fsynced, in index order, setting each record's result. Runs on
    /// the writer loop; the callers' tasks complete after it returns.
    /// </summary>
    public Action<IReadOnlyList<PendingRecord>>? ApplyCommitted { get; set; }

    /// <summary>The folder the log lives in (named in errors).</summary>
    public string Folder => _folder;

    /// <summary>
    /// Queues a record (the store calls this under its lock, so the log's order is the index order). Its task completes
    /// once the frame is fsynced and the store applied it, or fails with <see cref="StorageUnavailableException"/> and
    /// then nothing of it was applied.
    /// </summary>
    public Task<bool> Append(PendingRecord record)
    {
        if (!_pending.Writer.TryWrite(record))
        {
            record.Fail(new ObjectDisposedException(nameof(RegistryLog), "the registry is shutting down"));
        }

        return record.Completion;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingRecord>();
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            buffer.ResetWrittenCount();
            while (batch.Count < 8192 && _pending.Reader.TryRead(out var item))
            {
                WriteFrame(buffer, item.Record);
                batch.Add(item);
            }
            if (TryWrite(buffer.WrittenSpan) is { } failure)
            {
                var refused = new StorageUnavailableException($"registry state could not be written to {_folder}: {failure.Message}", failure);
                foreach (var pending in batch)
                {
                    pending.Fail(refused);
                }
            }
            else
            {
                Apply(batch);
                _sinceSnapshot += batch.Count;
                // Between batches the store holds exactly what is durable: that is the snapshot.
                if (_sinceSnapshot >= _compactAfter && CaptureState is { } capture)
                {
                    Compact(capture());
                }
            }
            batch.Clear();
        }
    }

    private void Apply(List<PendingRecord> batch)
    {
        try
        {
            ApplyCommitted?.Invoke(batch);
        }
        catch (Exception e) // a defect in the apply step: its callers hear of it, and the writer keeps serving the others
        {
            Log.ApplyFailed(_logger, _folder, e);
            foreach (var pending in batch)
            {
                pending.Fail(e);
            }

            return;
        }
        foreach (var pending in batch)
        {
            pending.Complete();
        }
    }

    // Writes and fsyncs the frames; null when they are on disk, else the error (nothing of the batch is acknowledged).
    private IOException? TryWrite(ReadOnlySpan<byte> frames)
    {
        try
        {
            _log ??= CreateLog();
            // Torn bytes of an earlier refused frame could not be cut back: a snapshot of the durable state empties the log.
            if (_behind && (CaptureState is not { } current || !Compact(current(), logFailure: false)))
            {
                throw new IOException("the snapshot that replaces a log with a torn frame could not be written either");
            }

            _behind = false;
            var end = _log.Position;
            try
            {
                _log.Write(frames);
                _log.Flush(flushToDisk: true); // fsync: only now is anything applied and acknowledged
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                CutBackTo(end); // no half frame may stay in front of the records written after it
                throw;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_failing)
            {
                Log.WriteFailed(_logger, _folder, e); // once per outage, not once per refused batch
            }

            _failing = true;
            _faults?.Failed(Writer, _folder, e, refusesWrites: true);
            return e as IOException ?? new IOException(e.Message, e);
        }
        if (_failing)
        {
            Log.WriteRecovered(_logger, _folder);
        }

        _failing = false;
        _faults?.Succeeded(Writer);
        return null;
    }

    private void CutBackTo(long length)
    {
        try
        {
            _log!.SetLength(length);
            _log.Seek(length, SeekOrigin.Begin);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _behind = true; // the next write starts with a snapshot and empties the log, torn bytes included
        }
    }

    // The captured state is what is durable (taken between batches); records queued after it follow in the emptied log.
    // False when the snapshot failed (the log is then left as it was).
    private bool Compact(List<LogRecord> state, bool logFailure = true)
    {
        try
        {
            var buffer = new ArrayBufferWriter<byte>();
            foreach (var record in state)
            {
                WriteFrame(buffer, record);
            }

            AtomicFile.Write(Path.Combine(_folder, SnapshotFileName), buffer.WrittenSpan, FileModes.Private);
            _log!.SetLength(0);
            _log.Flush(flushToDisk: true);
            Log.Compacted(_logger, _folder, state.Count, _sinceSnapshot);
            _sinceSnapshot = 0;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (logFailure) // a catch-up snapshot's failure is the write's failure, logged once per outage
            {
                Log.CompactionFailed(_logger, _folder, e); // the log is still complete; compaction is retried after the next batch
            }

            return false;
        }
    }

    // The file's directory entry is fsynced too: a log whose name was lost in a crash would lose everything in it.
    private FileStream CreateLog()
    {
        FileModes.CreateDirectory(_folder, FileModes.PrivateFolder);
        var log = OpenPrivate(_openLog, Path.Combine(_folder, LogFileName), FileMode.OpenOrCreate);
        log.Seek(0, SeekOrigin.End);
        LibC.SyncDirectory(_folder);
        LibC.SyncDirectory(Path.GetDirectoryName(_folder)!);
        return log;
    }

    private static void WriteFrame(ArrayBufferWriter<byte> buffer, LogRecord record)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(record, RegistryJsonContext.Default.LogRecord);
        var header = buffer.GetSpan(HeaderBytes);
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(payload));
        buffer.Advance(HeaderBytes);
        buffer.Write(payload);
    }

    /// <summary>Frames up to the first incomplete or corrupt one; also returns how many bytes were valid.</summary>
    internal static (List<LogRecord> Records, int ValidBytes, int Length) ReadFrames(ReadOnlySpan<byte> bytes)
    {
        var records = new List<LogRecord>();
        var offset = 0;
        while (bytes.Length - offset >= HeaderBytes)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[offset..]);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(offset + 4)..]);
            if (length is <= 0 or > MaxFrameBytes || bytes.Length - offset - HeaderBytes < length)
            {
                break;
            }

            var payload = bytes.Slice(offset + HeaderBytes, length);
            if (Crc32.HashToUInt32(payload) != crc)
            {
                break;
            }

            LogRecord? record;
            try { record = JsonSerializer.Deserialize(payload, RegistryJsonContext.Default.LogRecord); }
            catch (JsonException) { break; }
            if (record is null)
            {
                break;
            }

            records.Add(record);
            offset += HeaderBytes + length;
        }
        return (records, offset, bytes.Length);
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        if (_log is not null)
        {
            await _log.DisposeAsync().ConfigureAwait(false);
        }
    }
}
