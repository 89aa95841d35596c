using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ServiceMesh.Storage;

namespace ServiceMesh.Discovery.Registry;

/// <summary>
/// Durable registry state under DATA_PATH: <c>registry.snapshot</c> (written to a temporary file, fsynced, renamed)
/// plus <c>registry.log</c>, an append-only log of frames [length][crc32][json]. One writer loop takes the queued
/// records in batches; after a batch's frames are fsynced it hands the batch to the store (<see cref="ApplyCommitted"/>),
/// which only then applies it, and only then are the callers answered. Concurrent appends share one fsync (group
/// commit), which is what makes thousands of durable registrations a second possible. A failed batch is applied
/// nowhere: readers never see state that is not on disk. A torn last frame (a crash mid-write, never acknowledged)
/// is cut off on open. Why not SQLite: it would add a native library next to the single AOT executable, for a log we can keep
/// correct in one file.
/// </summary>
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
    /// Reads the state back; a damaged snapshot or an unreadable file stops the start (<see cref="StateFileException"/>, exit 74).
    /// <paramref name="openLog"/> opens the log file (tests pass one whose writes fail like a full disk); failed and
    /// recovered writes are reported to <paramref name="faults"/> as writer "registry".
    /// </summary>
    public static RegistryLog Open(string folder, ILogger logger, int compactAfter = 20_000, Func<string, FileMode, FileStream>? openLog = null,
        StorageFaults? faults = null)
    {
        try
        {
            return OpenFiles(folder, logger, compactAfter, openLog ?? OpenLogFile, faults);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException($"DATA_PATH registry state in {folder} cannot be read ({e.Message}). Fix its permissions (owner 65532) or the disk, then start again.", e);
        }
    }

    private static FileStream OpenLogFile(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite, Share = FileShare.Read, BufferSize = 0 };
        if (mode != FileMode.Open && !OperatingSystem.IsWindows())
            options.UnixCreateMode = FileModes.Private; // masked by the umask; set exactly once open
        return new FileStream(path, options);
    }

    // A new log: KV values and registrations are the mesh's alone, whatever the umask.
    private static FileStream OpenPrivate(Func<string, FileMode, FileStream> openLog, string path, FileMode mode)
    {
        var log = openLog(path, mode);
        try
        {
            FileModes.Set(log.SafeFileHandle, FileModes.Private);
            return log;
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    // State an earlier version wrote with the umask's bits (0644: KV values readable by every user). Best effort: a
    // file the mesh can read and write but not chmod is not its own; it says so rather than refusing to start.
    private static void RepairMode(ILogger logger, string path)
    {
        if (FileModes.TryRepair(path, FileModes.Private) is { } problem)
            Log.ModeNotRepaired(logger, path, problem);
    }

    private static RegistryLog OpenFiles(string folder, ILogger logger, int compactAfter, Func<string, FileMode, FileStream> openLog, StorageFaults? faults)
    {
        var snapshotPath = Path.Combine(folder, SnapshotFileName);
        var records = new List<LogRecord>();
        if (File.Exists(snapshotPath))
        {
            RepairMode(logger, snapshotPath);
            var (snapshot, valid, length) = ReadFrames(File.ReadAllBytes(snapshotPath));
            if (valid != length) // written whole and renamed: a bad snapshot is damage, not a crash; refuse to guess
                throw new StateFileException($"{snapshotPath} is damaged at byte {valid} of {length}; restore it from a backup or remove it (and lose the state it holds)");
            records.AddRange(snapshot);
        }
        var logPath = Path.Combine(folder, LogFileName);
        if (!File.Exists(logPath))
        {
            Log.Recovered(logger, folder, records.Count, 0);
            return new RegistryLog(folder, compactAfter, logger, openLog, faults, records, null, 0);
        }
        var log = openLog(logPath, FileMode.Open);
        RepairMode(logger, logPath);
        var bytes = new byte[log.Length];
        log.ReadExactly(bytes);
        var (logRecords, validBytes, _) = ReadFrames(bytes);
        if (validBytes < bytes.Length)
        {
            Log.TornTail(logger, logPath, bytes.Length - validBytes, validBytes);
            log.SetLength(validBytes);
            log.Flush(flushToDisk: true);
        }
        log.Seek(0, SeekOrigin.End);
        records.AddRange(logRecords);
        Log.Recovered(logger, folder, records.Count, logRecords.Count);
        return new RegistryLog(folder, compactAfter, logger, openLog, faults, records, log, logRecords.Count);
    }

    /// <summary>
    /// Queues a record (the store calls this under its lock, so the log's order is the index order). Its task completes
    /// once the frame is fsynced and the store applied it, or fails with <see cref="StorageUnavailableException"/> and
    /// then nothing of it was applied.
    /// </summary>
    public Task<bool> Append(PendingRecord record)
    {
        if (!_pending.Writer.TryWrite(record))
            record.Fail(new ObjectDisposedException(nameof(RegistryLog), "the registry is shutting down"));
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
                    pending.Fail(refused);
            }
            else
            {
                Apply(batch);
                _sinceSnapshot += batch.Count;
                // Between batches the store holds exactly what is durable: that is the snapshot.
                if (_sinceSnapshot >= _compactAfter && CaptureState is { } capture)
                    Compact(capture());
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
                pending.Fail(e);
            return;
        }
        foreach (var pending in batch)
            pending.Complete();
    }

    // Writes and fsyncs the frames; null when they are on disk, else the error (nothing of the batch is acknowledged).
    private IOException? TryWrite(ReadOnlySpan<byte> frames)
    {
        try
        {
            _log ??= CreateLog();
            // Torn bytes of an earlier refused frame could not be cut back: a snapshot of the durable state empties the log.
            if (_behind && (CaptureState is not { } current || !Compact(current(), logFailure: false)))
                throw new IOException("the snapshot that replaces a log with a torn frame could not be written either");
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
                Log.WriteFailed(_logger, _folder, e); // once per outage, not once per refused batch
            _failing = true;
            _faults?.Failed(Writer, _folder, e, refusesWrites: true);
            return e as IOException ?? new IOException(e.Message, e);
        }
        if (_failing)
            Log.WriteRecovered(_logger, _folder);
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
                WriteFrame(buffer, record);
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
                Log.CompactionFailed(_logger, _folder, e); // the log is still complete; compaction is retried after the next batch
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
                break;
            var payload = bytes.Slice(offset + HeaderBytes, length);
            if (Crc32.HashToUInt32(payload) != crc)
                break;
            LogRecord? record;
            try { record = JsonSerializer.Deserialize(payload, RegistryJsonContext.Default.LogRecord); }
            catch (JsonException) { break; }
            if (record is null)
                break;
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
            await _log.DisposeAsync().ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Registry state recovered from {Folder}: {Records} records ({LogRecords} from the log)")]
        public static partial void Recovered(ILogger logger, string folder, int records, int logRecords);

        [LoggerMessage(2, LogLevel.Warning, "{Path}: cut {Bytes} bytes of an incomplete last record at byte {Offset} (a write interrupted by a crash, never acknowledged)")]
        public static partial void TornTail(ILogger logger, string path, int bytes, int offset);

        [LoggerMessage(3, LogLevel.Error, "Registry state could not be written to {Folder}; registrations and KV writes are refused (503) until it can")]
        public static partial void WriteFailed(ILogger logger, string folder, Exception exception);

        [LoggerMessage(8, LogLevel.Critical, "Registry records written to {Folder} could not be applied; their writers get the error")]
        public static partial void ApplyFailed(ILogger logger, string folder, Exception exception);

        [LoggerMessage(7, LogLevel.Information, "Registry state can be written to {Folder} again; writes are accepted")]
        public static partial void WriteRecovered(ILogger logger, string folder);

        [LoggerMessage(5, LogLevel.Error, "Registry snapshot could not be written to {Folder}; the log stays complete and compaction is tried again")]
        public static partial void CompactionFailed(ILogger logger, string folder, Exception exception);

        [LoggerMessage(6, LogLevel.Warning, "{Path} should have mode 0600 and could not be given it ({Reason}); fix its ownership (65532:65532) or set the mode by hand")]
        public static partial void ModeNotRepaired(ILogger logger, string path, string reason);

        [LoggerMessage(4, LogLevel.Information, "Registry log compacted in {Folder}: snapshot of {Records} records replaces {LogRecords} log records")]
        public static partial void Compacted(ILogger logger, string folder, int records, int logRecords);
    }
}
