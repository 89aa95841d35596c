using System.Collections.Concurrent;
using System.Security.Cryptography;
using ServiceMesh.Configuration;

namespace ServiceMesh.Certificates;

/// <summary>
/// Owns the CA and every service's SVID: issue, renew (on schedule, on request, after a root change), revoke, and
/// root rotation. One lock per service makes concurrent requests for a name produce one consistent pair; files are
/// written before memory changes and events go out, so what the API and subscribers see is always on disk.
/// </summary>
internal sealed partial class CertificateManager : IDisposable
{
    private const int ConcurrentRenewals = 4;

    private readonly CertificateSettings _settings;
    private readonly TimeProvider _time;
    private readonly RenewalSchedule _schedule;
    private readonly CertificateEventHub _events;
    private readonly CertificateMetrics _metrics;
    private readonly ILogger<CertificateManager> _logger;
    private readonly CaStore _caStore;
    private readonly RevocationList _revocations;
    private readonly RevocationListPublisher _revocationPublisher;
    private readonly SvidIssuer _issuer;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _serviceLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LeafState> _leaves = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _rootLock = new(1, 1);
    private TrustState? _trust;
    private long _version;
    private Func<CancellationToken, Task<bool>>? _distributeTrust;

    public CertificateManager(CertificateSettings settings, ICertificateFileSystem files, TimeProvider time, RenewalSchedule schedule,
        CertificateEventHub events, CertificateMetrics metrics, ILogger<CertificateManager> logger)
    {
        _settings = settings;
        _time = time;
        _schedule = schedule;
        _events = events;
        _metrics = metrics;
        _logger = logger;
        _caStore = new CaStore(settings, files, logger);
        _revocations = new RevocationList(settings.Folder, files);
        _revocationPublisher = new RevocationListPublisher(settings, new RevocationListFile(settings.Folder, files), time, logger);
        _issuer = new SvidIssuer(settings);
        Files = new SvidFileStore(settings.Folder, files);
        metrics.EarliestExpiry = () => _leaves.IsEmpty ? null : (_leaves.Values.Min(l => l.Certificate.NotAfter) - _time.GetUtcNow()).TotalSeconds;
    }

    public SvidFileStore Files { get; }

    public TrustState Trust => Volatile.Read(ref _trust) ?? throw new InvalidOperationException("the certificate manager has not started");

    public bool Started => Volatile.Read(ref _trust) is not null;

    public IReadOnlyList<LeafState> Leaves => [.. _leaves.Values.OrderBy(l => l.Service, StringComparer.Ordinal)];

    public LeafState? Find(string service) => _leaves.GetValueOrDefault(service);

    public RevocationListStatus RevocationList => _revocationPublisher.Status;

    /// <summary>When the next scheduled work (a renewal, or retiring an old root) is due; null when there is none.</summary>
    public DateTimeOffset? NextDueAt
    {
        get
        {
            DateTimeOffset? next = _leaves.IsEmpty ? null : _leaves.Values.Min(l => l.RenewAt);
            if (Volatile.Read(ref _trust)?.RetireAfter is { } retire && (next is null || retire < next))
            {
                next = retire;
            }

            if (_revocationPublisher.Status.RefreshAt is { } refresh && (next is null || refresh < next))
            {
                next = refresh;
            }

            return next;
        }
    }

    /// <summary>
    /// Who puts a new trust bundle and CRL into every sidecar's files (the Envoy writer): a root rotation calls it after
    /// they are on disk and before re-issuing any leaf, and it returns once every sidecar's validation secret is written
    /// (false when some could not be). Without one (no sidecars here) the re-issues follow at once.
    /// </summary>
    public void DistributeTrustWith(Func<CancellationToken, Task<bool>> distribute) => Volatile.Write(ref _distributeTrust, distribute);

    /// <summary>Loads or creates the CA (throws <see cref="CertificateAuthorityException"/> on unusable files), then takes over the leaves on disk.</summary>
    public void Start()
    {
        var now = _time.GetUtcNow();
        Volatile.Write(ref _trust, _caStore.LoadOrCreate(now));
        _revocations.Load();
        // The list on disk stays when it is still current (a restart then rewrites no sidecar's sds-ca.yaml); signed
        // afresh when it is due, expired while the mesh was down, or no longer matches the roots or the revocations.
        if (!_revocationPublisher.TryAdopt(Trust, _revocations.Entries))
        {
            PublishRevocationList();
        }

        var loader = new SvidLoader(_settings, Files, _revocations);
        foreach (var service in Files.Services())
        {
            var (info, problem) = loader.Load(service, Trust, now);
            if (info is not null)
            {
                // A leaf from a root being retired renews at once: the rotation was interrupted by the restart.
                var renewAt = info.IssuerKeyId == Trust.Active.KeyId ? _schedule.RenewAt(info.NotBefore, info.NotAfter) : now;
                _leaves[service] = new LeafState(info, renewAt, 0, null, Interlocked.Increment(ref _version));
                CompleteLayout(service);
                continue;
            }
            if (problem == SvidLoader.Revoked)
            {
                Files.Delete(service);
                continue;
            }
            Log.ReissuingAtStart(_logger, service, problem!);
            try
            {
                IssueLocked(service, CertificateChangeKind.Issued, "start");
            }
            catch (Exception e) when (IsIssuanceFailure(e))
            {
                // Not fatal: the CA is fine; the service can ask again through the API.
            }
        }
        Log.Started(_logger, _leaves.Count, Trust.Bundle.Count);
        if (_settings.KeyAlgorithm == KeyAlgorithm.EcdsaP256 && !P256KeyGenerator.UsesOpenSsl)
        {
            Log.SlowKeyGeneration(_logger);
        }
    }

    // A pair written by an earlier version has no <svc>.pem yet: added once, best effort (the pair itself is fine).
    private void CompleteLayout(string service)
    {
        try
        {
            Files.CompleteLayout(service);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LayoutNotCompleted(_logger, service, e.Message);
        }
    }

    /// <summary>
    /// Issues a certificate, or renews it now. Requests for the same name that arrive while one is being issued get
    /// that one's result instead of a second certificate.
    /// </summary>
    public async Task<LeafState> IssueAsync(string service, CancellationToken cancellationToken)
    {
        RequireValidName(service);
        var observed = _leaves.GetValueOrDefault(service)?.Version;
        var gate = Gate(service);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _leaves.GetValueOrDefault(service);
            if (current is not null && current.Version != observed)
            {
                return current;
            }

            return IssueLocked(service, current is null ? CertificateChangeKind.Issued : CertificateChangeKind.Renewed, "request");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Removes the service's files, records its serial in ca.revoked.json and publishes the revocation list; says whether
    /// the sidecars now refuse the certificate. Null when it had no certificate.
    /// </summary>
    public async Task<Revocation?> RevokeAsync(string service, CancellationToken cancellationToken)
    {
        RequireValidName(service);
        var gate = Gate(service);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_leaves.GetValueOrDefault(service) is not { } current)
            {
                return null;
            }

            var revoked = new RevokedCertificate(service, current.Certificate.Serial, _time.GetUtcNow());
            _revocations.Add(revoked); // first: if deleting fails, the next start still refuses these files
            PublishRevocationList();
            var enforcement = Enforcement(current.Certificate, _revocationPublisher.Status);
            Files.Delete(service);
            _leaves.TryRemove(service, out _);
            Log.Revoked(_logger, service, revoked.Serial);
            Publish(CertificateChangeKind.Revoked, service, current.Certificate);
            return new Revocation(revoked, enforcement);
        }
        finally
        {
            gate.Release();
        }
    }

    // Caller holds the service's lock.
    private LeafState IssueLocked(string service, CertificateChangeKind kind, string reason)
    {
        var trust = Trust;
        var now = _time.GetUtcNow();
        try
        {
            using var svid = _issuer.Issue(trust.Active, service, now, trust.LeafIntermediate);
            Files.Write(svid);
            var info = svid.Info;
            var state = new LeafState(info, _schedule.RenewAt(info.NotBefore, info.NotAfter), 0, null, Interlocked.Increment(ref _version));
            _leaves[service] = state;
            if (kind == CertificateChangeKind.Issued)
            {
                _metrics.Issued();
            }
            else
            {
                _metrics.Renewed(reason);
            }

            Log.Issued(_logger, service, kind, reason, info.Serial, info.NotAfter, state.RenewAt);
            Publish(kind, service, info);
            return state;
        }
        catch (Exception e) when (IsIssuanceFailure(e))
        {
            _metrics.Failed(kind == CertificateChangeKind.Issued ? "issue" : "renew");
            Log.IssueFailed(_logger, service, reason, e);
            throw;
        }
    }

    private void PublishRevocationList()
    {
        if (_revocationPublisher.Publish(() => Trust, () => _revocations.Entries))
        {
            Publish(CertificateChangeKind.RevocationListChanged, null, null);
        }
    }

    // A leaf of a root being retired is checked against that root's final list, which no longer grows (its key is gone).
    private string Enforcement(SvidInfo certificate, RevocationListStatus status) =>
        !status.Enforced ? (status.Problem is { } failure ? $"not enforced by the sidecars: {failure}" : "not enforced by the sidecars until the previous root is retired")
        : certificate.IssuerKeyId != Trust.Active.KeyId ? "issued by the previous root, whose final list cannot grow: the sidecars accept it until that root is retired"
        : "listed in the revocation list the sidecars check: they refuse it"
            + (status.Problem is { } problem ? $" ({problem}; the file is stale, the sidecars are not)" : "");

    private void Publish(CertificateChangeKind kind, string? service, SvidInfo? certificate) =>
        _events.Publish(new CertificateChange(kind, service, certificate,
            service is null ? "" : Files.CertificatePath(service), service is null ? "" : Files.KeyPath(service), Files.TrustBundlePath,
            service is null ? Files.Folder : Files.WatchedDirectory(service)));

    public void Dispose()
    {
        _rootLock.Dispose();
        foreach (var gate in _serviceLocks.Values)
        {
            gate.Dispose();
        }
    }

    // The API checks first and answers 400; this keeps any other caller from turning a bad name into a path.
    private static void RequireValidName(string service)
    {
        if (!ServiceName.IsIdentity(service, out var problem))
        {
            throw new ArgumentException(problem, nameof(service));
        }
    }

    private SemaphoreSlim Gate(string service) => _serviceLocks.GetOrAdd(service, static _ => new SemaphoreSlim(1, 1));

    private static bool IsIssuanceFailure(Exception e) => e is IOException or UnauthorizedAccessException or CryptographicException;
}
