using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;

namespace ServiceMesh.Storage;

/// <summary>A writer whose last durable write failed: which writer, the folder, the error, and since when.</summary>
/// <param name="RefusesWrites">True when callers' writes are refused until it recovers (registry, registrations);
/// false when the failure only delays output that is retried (Envoy files, certificate renewal ahead of expiry).</param>
internal sealed record StorageFault(string Writer, string Folder, string Error, DateTimeOffset Since, bool RefusesWrites);

/// <summary>
/// Where durable-state writers ("registry", "registrations", "certificates", "envoy") report each write's outcome; the
/// storage health component reads the faults, which clear on the next success. Never retries or throws; a writer's
/// first failure and its recovery are logged here, once each, so every writer's full disk reads the same in the log.
/// </summary>
internal sealed partial class StorageFaults(TimeProvider time, ILogger<StorageFaults>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<StorageFaults>.Instance;

    private ImmutableDictionary<string, StorageFault> _faults = ImmutableDictionary<string, StorageFault>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The writers failing right now, in name order.</summary>
    public IReadOnlyList<StorageFault> Current => [.. Volatile.Read(ref _faults).Values.OrderBy(f => f.Writer, StringComparer.Ordinal)];

    /// <summary>Records a failed write; the first failure's time is kept while the writer keeps failing.</summary>
    public void Failed(string writer, string folder, Exception error, bool refusesWrites) => Failed(writer, folder, error.Message, refusesWrites);

    /// <inheritdoc cref="Failed(string, string, Exception, bool)"/>
    public void Failed(string writer, string folder, string error, bool refusesWrites)
    {
        var started = false; // the factory that ran last decides
        var fault = ImmutableInterlocked.AddOrUpdate(ref _faults, writer,
            _ => { started = true; return new StorageFault(writer, folder, error, time.GetUtcNow(), refusesWrites); },
            (_, old) => { started = false; return old with { Folder = folder, Error = error, RefusesWrites = refusesWrites }; });
        if (started)
        {
            Log.Failing(_logger, writer, folder, error, refusesWrites ? "writes are refused (503) until one succeeds" : "its output is delayed and retried");
        }
    }

    /// <summary>
    /// The outcome of a pass that writes many files and reports each failure as text (the Envoy writer): a success when
    /// <paramref name="failures"/> is empty, otherwise a failure naming the first few.
    /// </summary>
    public void Report(string writer, string folder, IReadOnlyList<string> failures, bool refusesWrites)
    {
        if (failures.Count == 0)
        {
            Succeeded(writer);
        }
        else
        {
            Failed(writer, folder, string.Join("; ", failures.Take(3)) + (failures.Count > 3 ? $" (and {failures.Count - 3} more)" : ""), refusesWrites);
        }
    }

    /// <summary>The writer's current fault, or null when its last write succeeded.</summary>
    public StorageFault? Of(string writer) => Volatile.Read(ref _faults).GetValueOrDefault(writer);

    /// <summary>Records a write that succeeded: the writer's fault, if any, is over.</summary>
    public void Succeeded(string writer)
    {
        if (Volatile.Read(ref _faults).ContainsKey(writer) && ImmutableInterlocked.TryRemove(ref _faults, writer, out var fault))
        {
            Log.Recovered(_logger, writer, fault.Folder, (long)(time.GetUtcNow() - fault.Since).TotalSeconds);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Storage: {Writer} cannot write to {Folder} ({Error}); {Consequence}")]
        public static partial void Failing(ILogger logger, string writer, string folder, string error, string consequence);

        [LoggerMessage(2, LogLevel.Information, "Storage: {Writer} writes to {Folder} again (failing for {Seconds} s)")]
        public static partial void Recovered(ILogger logger, string writer, string folder, long seconds);
    }
}

/// <summary>
/// A write the caller asked for was refused because its state could not be made durable (a full or read-only disk).
/// Nothing of it is visible to readers. The message names the folder and the cause; API routes answer 503 with it.
/// </summary>
internal sealed class StorageUnavailableException : IOException
{
    public StorageUnavailableException(string message) : base(message) { }

    public StorageUnavailableException(string message, Exception inner) : base(message, inner) { }

    public StorageUnavailableException() { }
}
