using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ServiceMesh.Certificates;

namespace ServiceMesh.Envoy;

/// <summary>
/// Every sidecar gets its SVID without anyone asking: a mesh member whose certificate file does not exist yet has
/// one issued by the certificate manager, in the background, so a generation never waits for the CA. The
/// certificate event that follows brings the next generation, whose SDS files then carry the new version. A failed
/// issuance is tried again by a later generation, not sooner than <see cref="RetryAfter"/>.
/// </summary>
internal sealed partial class SidecarCertificates(CertificateManager manager, TimeProvider time, ILogger<SidecarCertificates> logger) : IDisposable
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _failedAt = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(8); // a start with many members issues a few at a time

    /// <summary>Starts issuance for each service not already being issued or recently failed; returns at once.</summary>
    public void EnsureIssued(IEnumerable<string> services)
    {
        foreach (var service in services)
        {
            if (_failedAt.TryGetValue(service, out var failed) && time.GetUtcNow() - failed < RetryAfter)
                continue;
            if (!_inFlight.ContainsKey(service))
                _inFlight.TryAdd(service, Task.Run(() => IssueAsync(service)));
        }
    }

    /// <summary>Waits for the issuances started so far (tests, shutdown).</summary>
    public Task IdleAsync() => Task.WhenAll(_inFlight.Values);

    public void Dispose() => _slots.Dispose();

    private async Task IssueAsync(string service)
    {
        await _slots.WaitAsync().ConfigureAwait(false);
        try
        {
            var leaf = await manager.IssueAsync(service, CancellationToken.None).ConfigureAwait(false);
            _failedAt.TryRemove(service, out _);
            Log.Issued(logger, service, leaf.Certificate.Serial);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _failedAt[service] = time.GetUtcNow();
            Log.Failed(logger, service, RetryAfter.TotalSeconds, e.Message);
        }
        finally
        {
            _slots.Release();
            _inFlight.TryRemove(service, out _);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Sidecar {Service} had no certificate: issued serial {Serial}")]
        public static partial void Issued(ILogger logger, string service, string serial);

        [LoggerMessage(2, LogLevel.Warning, "Sidecar {Service} has no certificate and issuing one failed (next try in {RetrySeconds} s or later): {Error}")]
        public static partial void Failed(ILogger logger, string service, double retrySeconds, string error);
    }
}
