using System.Collections.Concurrent;
using ServiceMesh.Certificates;

namespace ServiceMesh.Envoy.Inputs;

/// <summary>
/// Issues a missing SVID in the background so a generation never waits for the CA (a failure is retried after
/// <see cref="RetryAfter"/>), and revokes a departed member's certificate so a root rotation has nothing to re-issue.
/// </summary>
internal sealed partial class SidecarCertificates(CertificateManager manager, TimeProvider time, ILogger<SidecarCertificates> logger) : IDisposable
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, string Error)> _failures = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(8); // a start with many members issues a few at a time
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Task> _revoking = new(StringComparer.Ordinal);
    // The members of the previous generation (null before the first): leaving is a change between two generations, so
    // a start that has not yet heard from every input revokes nobody. Departures whose revocation failed stay here.
    private HashSet<string>? _members;
    // Departed services, each with the number of its departure: a revocation clears only the departure it started from.
    private readonly ConcurrentDictionary<string, long> _departed = new(StringComparer.Ordinal);
    private long _departures;

    /// <summary>Sidecars still without a certificate whose last issuance failed, with the error (for /health).</summary>
    public IReadOnlyDictionary<string, string> Failing => _failures.ToDictionary(f => f.Key, f => f.Value.Error, StringComparer.Ordinal);

    /// <summary>
    /// Starts issuance for each of <paramref name="services"/> (the sidecars without a certificate now) not already
    /// being issued or recently failed; returns at once. Failures of sidecars no longer listed are forgotten.
    /// </summary>
    public void EnsureIssued(IReadOnlyCollection<string> services)
    {
        foreach (var gone in _failures.Keys.Except(services, StringComparer.Ordinal))
        {
            _failures.TryRemove(gone, out _);
        }

        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        var token = _stopping.Token;
        foreach (var service in services)
        {
            if (_failures.TryGetValue(service, out var failed) && time.GetUtcNow() - failed.At < RetryAfter)
            {
                continue;
            }
            // Registered before it runs, so a fast failure cannot remove its entry before the entry exists.
            var issuance = new Task<Task>(() => IssueAsync(service, token));
            if (_inFlight.TryAdd(service, issuance.Unwrap()))
            {
                issuance.Start(TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Revokes the certificate of every service that was a member in the previous call and is not in
    /// <paramref name="members"/> (and retries departures whose revocation failed); returns at once.
    /// </summary>
    public void RevokeDeparted(IReadOnlyCollection<string> members)
    {
        var now = members.ToHashSet(StringComparer.Ordinal);
        var before = Interlocked.Exchange(ref _members, now);
        foreach (var gone in before?.Except(now) ?? [])
        {
            _departed[gone] = Interlocked.Increment(ref _departures);
        }

        foreach (var back in _departed.Keys.Where(now.Contains))
        {
            _departed.TryRemove(back, out _); // rejoined before its revocation ran: it keeps (or gets) an identity
        }

        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        var token = _stopping.Token;
        foreach (var service in _departed.Keys)
        {
            var revocation = new Task<Task>(() => RevokeAsync(service, token));
            if (_revoking.TryAdd(service, revocation.Unwrap()))
            {
                revocation.Start(TaskScheduler.Default);
            }
        }
    }

    /// <summary>Waits for the issuances and revocations started so far.</summary>
    public Task IdleAsync() => Task.WhenAll(_inFlight.Values.Concat(_revoking.Values));

    /// <summary>Stops issuing: queued issuances end without asking the CA, running ones are cancelled.</summary>
    public void Dispose() => _stopping.Cancel(); // not disposed: issuances still running hold its token

    private async Task IssueAsync(string service, CancellationToken token)
    {
        try
        {
            await _slots.WaitAsync(token).ConfigureAwait(false);
            try
            {
                var leaf = await manager.IssueAsync(service, token).ConfigureAwait(false);
                _failures.TryRemove(service, out _);
                if (Volatile.Read(ref _members) is { } members && !members.Contains(service))
                {
                    _departed[service] = Interlocked.Increment(ref _departures); // left while this was issued: its certificate event brings the generation that revokes it
                }

                Log.Issued(logger, service, leaf.Certificate.Serial);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A warning when a sidecar starts failing or fails differently; the same failure again every 30 s is Debug.
            var repeated = _failures.TryGetValue(service, out var before) && before.Error == e.Message;
            _failures[service] = (time.GetUtcNow(), e.Message);
            if (repeated)
            {
                Log.FailedAgain(logger, service, e.Message);
            }
            else
            {
                Log.Failed(logger, service, RetryAfter.TotalSeconds, e.Message);
            }
        }
        finally
        {
            _inFlight.TryRemove(service, out _);
        }
    }

    private async Task RevokeAsync(string service, CancellationToken token)
    {
        try
        {
            if (!_departed.TryGetValue(service, out var departure))
            {
                return;
            }

            var revocation = await manager.RevokeAsync(service, token).ConfigureAwait(false);
            _departed.TryRemove(new KeyValuePair<string, long>(service, departure)); // a later departure stays for the next generation
            if (revocation is not null)
            {
                Log.RevokedOnLeaving(logger, service, revocation.Certificate.Serial, revocation.Enforcement);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Stays departed: the next generation tries again.
            Log.RevokeOnLeavingFailed(logger, service, e.Message);
        }
        finally
        {
            _revoking.TryRemove(service, out _);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Sidecar {Service} had no certificate: issued serial {Serial}")]
        public static partial void Issued(ILogger logger, string service, string serial);

        [LoggerMessage(2, LogLevel.Warning, "Sidecar {Service} has no certificate and issuing one failed (next try in {RetrySeconds} s or later): {Error}")]
        public static partial void Failed(ILogger logger, string service, double retrySeconds, string error);

        [LoggerMessage(3, LogLevel.Debug, "Sidecar {Service} still has no certificate, issuing failed again: {Error}")]
        public static partial void FailedAgain(ILogger logger, string service, string error);

        [LoggerMessage(4, LogLevel.Information, "Sidecar {Service} left the mesh: certificate serial {Serial} revoked and its files removed ({Enforcement})")]
        public static partial void RevokedOnLeaving(ILogger logger, string service, string serial, string enforcement);

        [LoggerMessage(5, LogLevel.Warning, "Sidecar {Service} left the mesh but revoking its certificate failed (tried again on the next change): {Error}")]
        public static partial void RevokeOnLeavingFailed(ILogger logger, string service, string error);
    }
}
