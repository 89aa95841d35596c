using System.Collections.Concurrent;
using System.Threading.Channels;

namespace ServiceMesh.Certificates;

internal enum CertificateChangeKind { Issued, Renewed, Revoked, TrustBundleChanged, RevocationListChanged }

/// <summary>
/// A service's certificate files changed (Service set), or the trust bundle ca.crt did (Service null).
/// <see cref="WatchedDirectory"/> is where the pair is swapped by a rename (Envoy SDS <c>watched_directory</c>);
/// ca.crt is replaced by a rename in CERTIFICATES_PATH itself.
/// </summary>
internal sealed record CertificateChange(CertificateChangeKind Kind, string? Service, SvidInfo? Certificate,
    string CertificatePath, string KeyPath, string TrustBundlePath, string WatchedDirectory);

/// <summary>Receives certificate changes from the moment it is created until disposed.</summary>
internal sealed class CertificateSubscription(ChannelReader<CertificateChange> reader, Action unsubscribe) : IDisposable
{
    public ChannelReader<CertificateChange> Changes { get; } = reader;

    public void Dispose() => unsubscribe();
}

/// <summary>How other components (the Envoy writer) learn that certificate files changed, after they are on disk.</summary>
internal interface ICertificateEvents
{
    CertificateSubscription Subscribe();
}

/// <summary>One unbounded channel per subscriber, so a slow subscriber never blocks issuance or other subscribers.</summary>
internal sealed class CertificateEventHub : ICertificateEvents
{
    private readonly ConcurrentDictionary<long, Channel<CertificateChange>> _subscribers = new();
    private long _next;

    public CertificateSubscription Subscribe()
    {
        var id = Interlocked.Increment(ref _next);
        var channel = Channel.CreateUnbounded<CertificateChange>(new UnboundedChannelOptions { SingleReader = true });
        _subscribers[id] = channel;
        return new CertificateSubscription(channel.Reader, () =>
        {
            if (_subscribers.TryRemove(id, out var removed))
            {
                removed.Writer.TryComplete();
            }
        });
    }

    public void Publish(CertificateChange change)
    {
        foreach (var channel in _subscribers.Values)
        {
            channel.Writer.TryWrite(change);
        }
    }
}
