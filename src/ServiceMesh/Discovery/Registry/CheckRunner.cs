using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>
/// Runs the embedded registry's HTTP, TCP and TTL checks and the DeregisterCriticalServiceAfter reaper. Never stops the
/// host: a refused deregistration (full disk) is logged once and retried every round.
/// </summary>
internal sealed partial class CheckRunner(RegistryStore store, CheckProbes probes, TimeProvider time, ILogger<CheckRunner> logger) : BackgroundService
{
    /// <summary>How often the reaper looks for services to remove: Consul's check_reap_interval (30 s).</summary>
    internal static readonly TimeSpan ReapEvery = TimeSpan.FromSeconds(30);

    /// <summary>Consul's check_deregister_interval_min: a shorter DeregisterCriticalServiceAfter is raised to it.</summary>
    internal static readonly TimeSpan MinimumDeregisterAfter = TimeSpan.FromMinutes(1);

    /// <summary>How long a check must stay critical before its service is removed (agent.go addCheck's rule).</summary>
    internal static TimeSpan? ReapAfter(CheckDefinition check) =>
        check.DeregisterCriticalServiceAfter is { } after && after > TimeSpan.Zero ? (after < MinimumDeregisterAfter ? MinimumDeregisterAfter : after) : null;

    private readonly ConcurrentDictionary<string, CheckLoop> _loops = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reapsFailing = new(StringComparer.Ordinal); // service IDs; only the reaper loop touches it
    private CancellationToken _stopping;

    private sealed record CheckLoop(CheckDefinition Definition, string ServiceId, CancellationTokenSource Cancel)
    {
        // Replaced on every TTL update, so the TTL wait starts over.
        public TaskCompletionSource Refreshed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        store.CheckChanged += OnCheckChanged;
        foreach (var (definition, serviceId) in store.AllChecks())
        {
            Start(definition, serviceId);
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(ReapEvery, time, stoppingToken).ConfigureAwait(false);
                await ReapAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.CheckChanged -= OnCheckChanged;
            foreach (var loop in _loops.Values)
            {
                await loop.Cancel.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private void OnCheckChanged(CheckEvent change)
    {
        switch (change)
        {
            case CheckEvent.Added added:
                Start(added.Definition, added.ServiceId);
                break;
            case CheckEvent.Removed when _loops.TryRemove(change.CheckId, out var loop):
                loop.Cancel.Cancel();
                loop.Cancel.Dispose();
                break;
            case CheckEvent.TtlUpdated when _loops.TryGetValue(change.CheckId, out var loop):
                var refreshed = loop.Refreshed;
                loop.Refreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                refreshed.TrySetResult();
                break;
        }
    }

    private void Start(CheckDefinition definition, string serviceId)
    {
        if (_stopping.IsCancellationRequested || !definition.Runs)
        {
            return;
        }

        if (definition.DeregisterCriticalServiceAfter < MinimumDeregisterAfter)
        {
            Log.DeregisterBelowMinimum(logger, definition.CheckId, GoDuration.Format(MinimumDeregisterAfter));
        }

        var loop = new CheckLoop(definition, serviceId, CancellationTokenSource.CreateLinkedTokenSource(_stopping));
        if (_loops.TryGetValue(definition.CheckId, out var old) && _loops.TryUpdate(definition.CheckId, loop, old))
        {
            old.Cancel.Cancel();
        }
        else if (!_loops.TryAdd(definition.CheckId, loop))
        {
            return;
        }
        // Off the caller's thread: check events arrive on the registry log's writer, which must not run probes.
        _ = Task.Run(() => definition.Ttl is null ? RunProbeLoopAsync(loop) : RunTtlLoopAsync(loop), CancellationToken.None);
    }

    private async Task RunProbeLoopAsync(CheckLoop loop)
    {
        var token = loop.Cancel.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var (status, output) = await probes.RunAsync(loop.Definition, token).ConfigureAwait(false);
                var previous = store.CheckStateOf(loop.Definition.CheckId)?.Status;
                if (store.SetCheckState(loop.Definition.CheckId, status, output) && previous != status)
                {
                    Log.StatusChanged(logger, loop.Definition.CheckId, loop.ServiceId, status, output);
                }

                await Task.Delay(Bounded(loop.Definition.Interval), time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task RunTtlLoopAsync(CheckLoop loop)
    {
        var token = loop.Cancel.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var refreshed = loop.Refreshed.Task;
                var expiry = Task.Delay(Bounded(loop.Definition.Ttl!.Value), time, token);
                if (await Task.WhenAny(refreshed, expiry).ConfigureAwait(false) == expiry)
                {
                    await expiry.ConfigureAwait(false); // throws when cancelled
                    if (store.CheckStateOf(loop.Definition.CheckId)?.Status != HealthStatuses.Critical)
                    {
                        Log.StatusChanged(logger, loop.Definition.CheckId, loop.ServiceId, HealthStatuses.Critical, "TTL expired");
                    }

                    store.SetCheckState(loop.Definition.CheckId, HealthStatuses.Critical, $"TTL expired (no update within {GoDuration.Format(loop.Definition.Ttl.Value)})");
                    await refreshed.WaitAsync(token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    // Registrations acknowledged by an earlier version may carry longer waits than timers allow; they run at the bound.
    private static TimeSpan Bounded(TimeSpan wait) => wait > CheckRules.MaximumInterval ? CheckRules.MaximumInterval : wait;

    private async Task ReapAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_reapsFailing.Count > 0) // services deregistered by someone else meanwhile are no longer this reaper's concern
        {
            _reapsFailing.IntersectWith(_loops.Values.Select(l => l.ServiceId));
        }

        foreach (var loop in _loops.Values)
        {
            // A node check has no service to remove (agent.go reapServicesInternal); Consul reaps after strictly more than the time.
            if (loop.ServiceId.Length == 0 || ReapAfter(loop.Definition) is not { } after
                || store.CheckStateOf(loop.Definition.CheckId) is not { CriticalSince: { } since } || now - since <= after)
            {
                continue;
            }

            try
            {
                if (await store.DeregisterAsync(loop.ServiceId, cancellationToken).ConfigureAwait(false))
                {
                    Log.Reaped(logger, loop.ServiceId, loop.Definition.CheckId, GoDuration.Format(after));
                }

                _reapsFailing.Remove(loop.ServiceId);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Refused (a full disk): the service stays registered and the next round tries again; said once, not every round.
                if (_reapsFailing.Add(loop.ServiceId))
                {
                    Log.ReapFailed(logger, loop.ServiceId, loop.Definition.CheckId, GoDuration.Format(after), e.Message);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Check {CheckId} of service {ServiceId} is now {Status}: {Output}")]
        public static partial void StatusChanged(ILogger logger, string checkId, string serviceId, string status, string output);

        [LoggerMessage(2, LogLevel.Warning, "Service {ServiceId} removed: check {CheckId} was critical for longer than DeregisterCriticalServiceAfter {After}")]
        public static partial void Reaped(ILogger logger, string serviceId, string checkId, string after);

        [LoggerMessage(3, LogLevel.Error, "Service {ServiceId} could not be removed although check {CheckId} was critical for longer than DeregisterCriticalServiceAfter {After}: {Reason}. It stays registered and removal is retried until it succeeds")]
        public static partial void ReapFailed(ILogger logger, string serviceId, string checkId, string after, string reason);

        [LoggerMessage(4, LogLevel.Warning, "check has deregister interval below minimum: check {CheckId} is reaped after the minimum_interval {Minimum}")]
        public static partial void DeregisterBelowMinimum(ILogger logger, string checkId, string minimum);
    }
}
