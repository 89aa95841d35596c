using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Definitions;

namespace ServiceMesh.Discovery.Watch;

/// <summary>
/// Tracks the registry with blocking queries (catalog/services, health/service/:name), publishing after
/// <see cref="Debounce"/>; while unreachable it backs off and keeps the last snapshot, never an invented catalog.
/// </summary>
internal sealed partial class CatalogWatcher(ConsulClient client, ServiceDefinitions definitions, TimeProvider time, ILogger<CatalogWatcher> logger)
    : BackgroundService, ICatalogWatcher
{
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);
    internal static readonly TimeSpan BlockingWait = TimeSpan.FromMinutes(5);
    internal static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    /// <summary>Consul asks watchers to rate-limit: at most one query per loop in this time.</summary>
    internal static readonly TimeSpan MinQuerySpacing = TimeSpan.FromMilliseconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, CatalogService> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CancellationTokenSource> _serviceLoops = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<CatalogChange>, byte> _subscribers = new();
    private readonly ConcurrentDictionary<string, (string Problem, DateTimeOffset Since)> _failures = new(StringComparer.Ordinal);
    private ITimer? _flushTimer;
    private ulong _index;
    private bool _synced;
    private DateTimeOffset? _lastSuccess;
    private CatalogSnapshot _current = CatalogSnapshot.Empty;
    private CancellationToken _stopping;
    private int _inFlight;
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CatalogSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Blocking queries this watcher has open right now (a metric).</summary>
    public int QueriesInFlight => Volatile.Read(ref _inFlight);

    public WatchStatus Status
    {
        get
        {
            lock (_gate)
            {
                var failure = _failures.Values.OrderBy(f => f.Since).Select(f => ((string, DateTimeOffset)?)f).FirstOrDefault();
                return new WatchStatus(_synced && failure is null, failure?.Item1, failure?.Item2, _lastSuccess);
            }
        }
    }

    public async IAsyncEnumerable<CatalogChange> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<CatalogChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            // under the lock with Flush, so the first item and the stream after it neither overlap nor leave a gap
            var current = Current;
            channel.Writer.TryWrite(new CatalogChange(current, [.. current.Services.Keys]));
            _subscribers.TryAdd(channel, 0);
        }
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
            }
        }
        finally
        {
            _subscribers.TryRemove(channel, out _);
        }
    }

    /// <summary>
    /// Waits (at most <paramref name="timeout"/>) until a published snapshot satisfies <paramref name="condition"/>,
    /// so an API that just wrote through the client can answer with a catalog that shows the write.
    /// </summary>
    public async Task<bool> WaitUntilAsync(Func<CatalogSnapshot, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                Task next;
                lock (_gate)
                {
                    next = _published.Task;
                }

                if (condition(Current))
                {
                    return true;
                }

                await next.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>How long start-up waits for the first catalog read, so /health and /services are right from the first request.</summary>
    internal static readonly TimeSpan FirstSyncWait = TimeSpan.FromSeconds(3);

    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Under _gate: the services the first catalog read listed whose instances were not read yet (null before and after).
    private HashSet<string>? _unread;

    public Task Loaded => _loaded.Task;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
        // Bounded: an unreachable external Consul must not stop the mesh from starting (it then reports degraded).
        await Task.WhenAny(_firstSync.Task, Task.Delay(FirstSyncWait, time, cancellationToken)).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        _flushTimer = time.CreateTimer(_ => Flush(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            await RunLoopAsync("catalog", WatchCatalogOnceAsync, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                foreach (var loop in _serviceLoops.Values)
                {
                    loop.Cancel();
                }
            }

            foreach (var channel in _subscribers.Keys)
            {
                channel.Writer.TryComplete();
            }
        }
    }

    // Under _gate. The first change of a burst arms the timer; the burst is published when it fires.
    private void MarkChanged(string name, ulong index)
    {
        _index = Math.Max(_index, index);
        if (_pending.Add(name) && _pending.Count == 1)
        {
            _flushTimer?.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void Flush()
    {
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            var snapshot = new CatalogSnapshot(_index, _current.Version + 1, time.GetUtcNow(), _services.ToImmutableSortedDictionary(StringComparer.Ordinal));
            var change = new CatalogChange(snapshot, [.. _pending.Order(StringComparer.Ordinal)]);
            _pending.Clear();
            Volatile.Write(ref _current, snapshot);
            _published.TrySetResult();
            _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (var channel in _subscribers.Keys)
            {
                channel.Writer.TryWrite(change);
            }

            Log.Published(logger, snapshot.Version, change.ChangedServices.Length, snapshot.Services.Count);
        }
    }

    private void Succeeded(string loop)
    {
        if (_failures.TryRemove(loop, out var failure))
        {
            Log.Recovered(logger, loop, client.Endpoint.BaseAddress, failure.Problem);
        }

        lock (_gate)
        {
            _lastSuccess = time.GetUtcNow();
        }
    }

    private void Failed(string loop, Exception e)
    {
        var problem = $"{client.Endpoint.BaseAddress} unreachable: {e.Message}";
        if (_failures.TryAdd(loop, (problem, time.GetUtcNow())))
        {
            Log.Unreachable(logger, loop, problem);
        }
        else
        {
            _failures[loop] = (problem, _failures[loop].Since);
        }
    }

    public override void Dispose()
    {
        _flushTimer?.Dispose();
        base.Dispose();
    }
}
