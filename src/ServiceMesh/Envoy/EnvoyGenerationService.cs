using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ServiceMesh.Certificates;
using ServiceMesh.Envoy.Policies;
using ServiceMesh.Storage;

namespace ServiceMesh.Envoy;

/// <summary>
/// Runs <see cref="EnvoyGenerator"/> whenever an input, a certificate or policies.yaml changes. Publishers only drop
/// a token into a one-slot channel (never blocking, never waiting for disk); the loop waits a short debounce so a
/// burst of changes becomes one generation, then writes.
/// </summary>
internal sealed partial class EnvoyGenerationService : BackgroundService
{
    /// <summary>
    /// How often a generation also checks every file against disk (anti-entropy): between these passes the writer
    /// trusts its memory, so a change costs only the files it touches, and a file edited or removed by hand comes back
    /// within this interval.
    /// </summary>
    public static readonly TimeSpan DiskCheckInterval = TimeSpan.FromSeconds(60);

    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite, // a pending request already covers this one
        SingleReader = true,
    });
    private readonly EnvoyGenerator _generator;
    private readonly EnvoyMetrics _metrics;
    private readonly ILogger<EnvoyGenerationService> _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _inputsWait;
    private long _pendingSince; // timestamp of the oldest change not yet on disk; 0 when none
    private int _diskCheckDue = 1; // the first generation checks the disk
    private TaskCompletionSource _nextGeneration = NewCompletion();
    private EnvoyGeneration? _lastGeneration;
    private readonly (StorageFaults Faults, string Folder)? _storage;

    /// <param name="settings">Null: the default debounce and inputs wait, and no storage fault reporting.</param>
    /// <param name="storageFaults">With <paramref name="settings"/>, a failed write pass is a storage fault "envoy".</param>
    public EnvoyGenerationService(EnvoyGenerator generator, EnvoyMetrics metrics, PolicyStore policies,
        ILogger<EnvoyGenerationService> logger, TimeProvider time, EnvoySettings? settings = null,
        CertificateManager? certificates = null, StorageFaults? storageFaults = null)
    {
        _storage = storageFaults is null || settings is null ? null : (storageFaults, settings.EnvoyConfigPath);
        certificates?.DistributeTrustWith(DistributeTrustAsync);
        _inputsWait = settings?.InputsWait ?? EnvoySettings.DefaultInputsWait;
        _generator = generator;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _debounce = settings?.Debounce ?? EnvoySettings.DefaultDebounce;
        foreach (var input in generator.Inputs)
        {
            input.Changed += Request;
        }

        policies.Changed += () => Request("policies.yaml changed");
    }

    /// <summary>Asks for a generation. Returns at once; safe from any thread.</summary>
    public void Request(string reason)
    {
        Log.Requested(_logger, reason);
        Interlocked.CompareExchange(ref _pendingSince, _time.GetTimestamp(), 0);
        _requests.Writer.TryWrite(true);
    }

    /// <summary>Asks for a generation and waits until one that started after this call has written its files.</summary>
    public async Task<EnvoyGeneration?> RequestAndWaitAsync(string reason, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref _nextGeneration).Task;
        Request(reason);
        await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Volatile.Read(ref _lastGeneration);
    }

    /// <summary>
    /// For a root rotation: a generation that starts after the new bundle and CRL are on disk writes every sidecar's
    /// sds-ca.yaml (and nothing of a new-root leaf, none exists yet). True when it wrote every file.
    /// </summary>
    private async Task<bool> DistributeTrustAsync(CancellationToken cancellationToken) =>
        await RequestAndWaitAsync("root rotation: trust bundle and revocation list first", cancellationToken).ConfigureAwait(false)
            is { Result.Succeeded: true };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WaitForInputsAsync(stoppingToken).ConfigureAwait(false);
            Request("start");
            await Task.WhenAll(GenerateOnRequestAsync(stoppingToken), RequestDiskChecksAsync(stoppingToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Read(ref _nextGeneration).TrySetCanceled(CancellationToken.None);
        }
    }

    /// <summary>
    /// The first generation knows every input, or it would write the members it has heard of and remove the files of
    /// all the others (their certificates, catalog entries and registrations still loading), then write them again.
    /// </summary>
    private async Task WaitForInputsAsync(CancellationToken stoppingToken)
    {
        var pending = _generator.Inputs.Where(i => !i.Ready.IsCompleted).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var all = Task.WhenAll(pending.Select(i => i.Ready));
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var timeout = Task.Delay(_inputsWait, _time, expiry.Token);
        if (await Task.WhenAny(all, timeout).ConfigureAwait(false) == all)
        {
            expiry.Cancel(); // the delay's timer goes with it
            return;
        }
        stoppingToken.ThrowIfCancellationRequested();
        Log.InputsNotReady(_logger, _inputsWait.TotalSeconds, string.Join(", ", pending.Where(i => !i.Ready.IsCompleted).Select(i => i.Name)));
    }

    private async Task GenerateOnRequestAsync(CancellationToken stoppingToken)
    {
        while (await _requests.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            _requests.Reader.TryRead(out _);
            if (_debounce > TimeSpan.Zero)
            {
                await Task.Delay(_debounce, _time, stoppingToken).ConfigureAwait(false);
            }

            _requests.Reader.TryRead(out _); // requests during the debounce are covered by this generation
            var completion = Interlocked.Exchange(ref _nextGeneration, NewCompletion());
            var since = Interlocked.Exchange(ref _pendingSince, 0);
            var verifyDisk = Interlocked.Exchange(ref _diskCheckDue, 0) == 1;
            if (!RunOnce(since, verifyDisk) && verifyDisk)
            {
                Volatile.Write(ref _diskCheckDue, 1); // the check did not complete: the next generation does it
            }

            completion.TrySetResult();
        }
    }

    private async Task RequestDiskChecksAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(DiskCheckInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            Volatile.Write(ref _diskCheckDue, 1);
            _requests.Writer.TryWrite(true); // not a change: no change-to-disk latency is recorded for it
        }
    }

    /// <summary>One generation; true when it ran to the end with every file written.</summary>
    private bool RunOnce(long changedAt, bool verifyDisk)
    {
        var started = _time.GetTimestamp();
        try
        {
            var generation = _generator.Generate(verifyDisk);
            if (generation is null)
            {
                return false;
            }

            Volatile.Write(ref _lastGeneration, generation);
            _metrics.Record(generation.Result, _time.GetElapsedTime(started), changedAt == 0 ? null : _time.GetElapsedTime(changedAt));
            _storage?.Faults.Report("envoy", _storage.Value.Folder, generation.Result.Failures, refusesWrites: false);
            return generation.Result.Succeeded;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The loop must outlive one bad generation: the next change gets another try.
            Log.GenerationFailed(_logger, e);
            return false;
        }
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Envoy configuration generation failed; it runs again on the next change")]
        public static partial void GenerationFailed(ILogger logger, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Envoy configuration: inputs not ready after {Seconds} s ({Inputs}); generating from what is known, the rest follows as it arrives")]
        public static partial void InputsNotReady(ILogger logger, double seconds, string inputs);

        [LoggerMessage(2, LogLevel.Debug, "Envoy configuration requested: {Reason}")]
        public static partial void Requested(ILogger logger, string reason);
    }
}
