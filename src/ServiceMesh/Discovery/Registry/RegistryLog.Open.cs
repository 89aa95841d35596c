using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ServiceMesh.Storage;

namespace ServiceMesh.Discovery.Registry;

// Opening: the snapshot and log read back, a torn tail cut, files created private.
internal sealed partial class RegistryLog
{
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
        {
            options.UnixCreateMode = FileModes.Private; // masked by the umask; set exactly once open
        }

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
        {
            Log.ModeNotRepaired(logger, path, problem);
        }
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
            {
                throw new StateFileException($"{snapshotPath} is damaged at byte {valid} of {length}; restore it from a backup or remove it (and lose the state it holds)");
            }

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
}
