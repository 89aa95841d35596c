using System.Collections.Immutable;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Watch;

// The blocking-query loops: one on the catalog, one per service, each with Consul's index rules and backoff.
internal sealed partial class CatalogWatcher
{
    // One blocking-query loop: query, remember the index by Consul's rules, back off on failure, keep spacing.
    // The loop owns its entry in _failures: a failure that races its cancellation is not recorded, and the entry
    // goes when the loop ends, so a stopped loop never keeps discovery degraded.
    private async Task RunLoopAsync(string name, Func<ulong, CancellationToken, Task<ulong>> queryOnce, CancellationToken cancellationToken)
    {
        ulong index = 0;
        var backoff = MinBackoff;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var started = time.GetTimestamp();
                try
                {
                    Interlocked.Increment(ref _inFlight);
                    var returned = await queryOnce(index, cancellationToken).ConfigureAwait(false);
                    index = BlockingIndex.Next(index, returned);
                    backoff = MinBackoff;
                    Succeeded(name);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested) // unreachable, bad answer or unexpected: back off, never stop the host
                {
                    Failed(name, e);
                    index = 0;
                    var jittered = backoff * (0.5 + Random.Shared.NextDouble() / 2);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    await Task.Delay(jittered, time, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
                var spent = time.GetElapsedTime(started);
                if (spent < MinQuerySpacing)
                {
                    await Task.Delay(MinQuerySpacing - spent, time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or HttpRequestException or ConsulException)
        {
        }
        finally
        {
            _failures.TryRemove(name, out _);
        }
    }

    private async Task<ulong> WatchCatalogOnceAsync(ulong index, CancellationToken cancellationToken)
    {
        var result = await client.CatalogServicesAsync(new QueryOptions(index, BlockingWait), cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (!_synced)
            {
                _unread = [.. result.Value.Keys]; // each service loop's first read takes its name out (they wait for this lock)
            }

            _synced = true;
            _firstSync.TrySetResult();
            foreach (var gone in _serviceLoops.Keys.Where(n => !result.Value.ContainsKey(n)).ToList())
            {
                _serviceLoops.Remove(gone, out var loop);
                loop!.Cancel();
                _unread?.Remove(gone); // gone before its first read: nothing of it to wait for
                _failures.TryRemove("service " + gone, out _);
                if (_services.Remove(gone))
                {
                    MarkChanged(gone, result.Index);
                }
            }
            foreach (var name in result.Value.Keys.Where(n => !_serviceLoops.ContainsKey(n)))
            {
                var loop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
                _serviceLoops[name] = loop;
                _ = RunLoopAsync("service " + name, (i, ct) => WatchServiceOnceAsync(name, i, ct), loop.Token);
            }
            CompleteLoadIfAllRead();
        }
        return result.Index;
    }

    // Under _gate. Publishes at once (no debounce) the snapshot that completes the first load, then says so.
    private void CompleteLoadIfAllRead(string? read = null)
    {
        if (_unread is null || (read is not null && !_unread.Remove(read)) || _unread.Count > 0)
        {
            return;
        }

        _unread = null;
        Flush();
        _loaded.TrySetResult();
    }

    private async Task<ulong> WatchServiceOnceAsync(string name, ulong index, CancellationToken cancellationToken)
    {
        var result = await client.HealthServiceAsync(name, passingOnly: false, new QueryOptions(index, BlockingWait), cancellationToken).ConfigureAwait(false);
        var service = new CatalogService(name, [.. result.Value.Select(ToInstance).OrderBy(i => i.Id, StringComparer.Ordinal)], definitions.Find(name));
        lock (_gate)
        {
            try
            {
                if (cancellationToken.IsCancellationRequested || !_serviceLoops.ContainsKey(name))
                {
                    return result.Index; // removed meanwhile: the catalog loop already published that
                }

                var known = _services.GetValueOrDefault(name);
                if (service.Instances.Length == 0 && known is null || service.SameAs(known))
                {
                    return result.Index;
                }

                if (service.Instances.Length == 0)
                {
                    _services.Remove(name);
                }
                else
                {
                    _services[name] = service;
                }

                MarkChanged(name, result.Index);
            }
            finally
            {
                CompleteLoadIfAllRead(name);
            }
        }
        return result.Index;
    }

    private static CatalogInstance ToInstance(ServiceEntry entry)
    {
        var statuses = entry.Checks.Select(c => c.Status).ToList();
        var health = statuses.Contains(HealthStatuses.Critical) ? InstanceHealth.Critical
            : statuses.Contains(HealthStatuses.Warning) ? InstanceHealth.Warning : InstanceHealth.Passing;
        return new CatalogInstance(entry.Service.Id, entry.Service.Service,
            entry.Service.Address is { Length: > 0 } address ? address : entry.Node.Address, entry.Service.Port,
            [.. entry.Service.Tags], entry.Service.Meta.ToImmutableSortedDictionary(StringComparer.Ordinal), health);
    }
}
