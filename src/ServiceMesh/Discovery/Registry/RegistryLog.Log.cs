namespace ServiceMesh.Discovery.Registry;

internal sealed partial class RegistryLog
{
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
