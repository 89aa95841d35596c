using System.Security.Cryptography;
using System.Text;

namespace ServiceMesh.Certificates;

/// <summary>The CRLs in force: what the sidecars get inline in their validation context, and what ca.crl should hold.
/// <paramref name="Pem"/>: one CRL per bundle root, null while a retiring root has none (nothing enforced). Past
/// <paramref name="NextUpdate"/> verifiers refuse the active root's leaves; it is re-signed at half its validity.</summary>
internal sealed record RevocationListStatus(string? Pem, string Version, int Revoked, DateTimeOffset? NextUpdate, DateTimeOffset? RefreshAt, string? Problem)
{
    public static readonly RevocationListStatus NotPublished = new(null, "none", 0, null, null, null);

    public bool Enforced => Pem is not null;
}

/// <summary>
/// Signs the active root's CRL and publishes it with the retiring roots' final CRLs, in memory first (sidecars get it
/// inline, so no Envoy version or file watch decides whether they see it), then in ca.crl. Calls are serialized and
/// read trust and revocations inside the lock, so the last call after any change publishes everything up to it.
/// </summary>
internal sealed partial class RevocationListPublisher(CertificateSettings settings, RevocationListFile file, TimeProvider time, ILogger logger)
{
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private RevocationListStatus _status = RevocationListStatus.NotPublished;
    private long _lastNumber;
    // What the list in force was signed from; each is immutable, so a changed one is a new instance.
    private (CertificateAuthority Active, IReadOnlyList<byte[]> Retiring, IReadOnlyList<RevokedCertificate> Revoked)? _signedFrom;

    public RevocationListStatus Status => Volatile.Read(ref _status);

    /// <summary>
    /// Adopts ca.crl when it is exactly what would be signed now apart from its dates (every revoked serial and no
    /// other, then the retiring roots' final lists) and has half its validity left, so a restart re-signs nothing and
    /// every sds-ca.yaml stays byte for byte. False otherwise (nothing changed): then call <see cref="Publish"/>.
    /// </summary>
    public bool TryAdopt(TrustState trust, IReadOnlyList<RevokedCertificate> revoked)
    {
        lock (_gate)
        {
            if (!trust.EveryRootHasRevocationList || file.Read() is not { } pem)
            {
                return false;
            }

            var text = Encoding.ASCII.GetString(pem);
            var lists = RevocationListFile.ParsePem(text);
            if (lists.Count != 1 + trust.RetiringRevocationLists.Count || !RevocationListFile.IsSignedBy(lists[0], trust.Active.Root)
                || !lists.Skip(1).SequenceEqual(trust.RetiringRevocationLists, ByteArrays.Instance)
                || !pem.AsSpan().SequenceEqual(RevocationListFile.Pem(lists))
                || RevocationListFile.Describe(lists[0]) is not ({ } nextUpdate, var serials))
            {
                return false;
            }

            var refreshAt = nextUpdate - settings.RevocationListValidity / 2;
            var expected = revoked.Select(r => r.Serial.ToUpperInvariant()).Where(CertificateAuthority.IsListable).ToHashSet(StringComparer.Ordinal);
            if (time.GetUtcNow() >= refreshAt || !serials.SetEquals(expected))
            {
                return false;
            }

            Volatile.Write(ref _status, new RevocationListStatus(text, Convert.ToHexStringLower(SHA256.HashData(pem).AsSpan(0, 8)), revoked.Count, nextUpdate, refreshAt, null));
            _signedFrom = (trust.Active, trust.RetiringRevocationLists, revoked);
            return true;
        }
    }

    private sealed class ByteArrays : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrays Instance = new();
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj) => obj.Length;
    }

    /// <summary>True when the list the sidecars get changed.</summary>
    public bool Publish(Func<TrustState> currentTrust, Func<IReadOnlyList<RevokedCertificate>> currentRevocations)
    {
        lock (_gate)
        {
            var trust = currentTrust();
            var revoked = currentRevocations();
            var now = time.GetUtcNow();
            var previous = Status;
            RevocationListStatus next;
            try
            {
                // Retrying only the file (nothing changed, not yet due): the same list, so the sidecars are not rewritten.
                next = _signedFrom is { } from && ReferenceEquals(from.Active, trust.Active) && ReferenceEquals(from.Retiring, trust.RetiringRevocationLists)
                    && ReferenceEquals(from.Revoked, revoked)
                    && previous.Problem is not null && now < previous.NextUpdate - settings.RevocationListValidity / 2
                    ? previous with { Problem = null, RefreshAt = previous.NextUpdate - settings.RevocationListValidity / 2 }
                    : Sign(trust, revoked, now, previous);
                _signedFrom = (trust.Active, trust.RetiringRevocationLists, revoked);
            }
            catch (CryptographicException e)
            {
                // No list rather than one that may not cover the current roots: a stale list would refuse new leaves.
                Log.SignFailed(logger, RetryDelay.TotalSeconds, e);
                next = RevocationListStatus.NotPublished with { Revoked = revoked.Count, RefreshAt = now + RetryDelay, Problem = $"the CA could not sign it: {e.Message}" };
            }
            Volatile.Write(ref _status, next);
            try
            {
                if (next.Pem is null)
                {
                    file.Delete();
                }
                else
                {
                    file.Write(Encoding.ASCII.GetBytes(next.Pem));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.WriteFailed(logger, file.FilePath, RetryDelay.TotalSeconds, e);
                Volatile.Write(ref _status, next with { RefreshAt = now + RetryDelay, Problem = $"{RevocationListFile.FileName} could not be written: {e.Message}" });
            }
            return next.Pem != previous.Pem;
        }
    }

    private RevocationListStatus Sign(TrustState trust, IReadOnlyList<RevokedCertificate> revoked, DateTimeOffset now, RevocationListStatus previous)
    {
        if (!trust.EveryRootHasRevocationList)
        {
            if (previous.Enforced || previous == RevocationListStatus.NotPublished)
            {
                Log.NotEnforced(logger);
            }

            return RevocationListStatus.NotPublished with { Revoked = revoked.Count };
        }
        var nextUpdate = now + settings.RevocationListValidity;
        // The clock in milliseconds keeps the number growing across restarts; +1 keeps it growing within one.
        var number = Math.Max(now.ToUnixTimeMilliseconds(), _lastNumber + 1);
        var pem = RevocationListFile.Pem([trust.Active.SignRevocationList(revoked, number, now, nextUpdate), .. trust.RetiringRevocationLists]);
        _lastNumber = number;
        return new RevocationListStatus(Encoding.ASCII.GetString(pem), Convert.ToHexStringLower(SHA256.HashData(pem).AsSpan(0, 8)),
            revoked.Count, nextUpdate, now + settings.RevocationListValidity / 2, null);
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Error, "{Path} could not be written; the sidecars have the current list inline, the file is stale; retrying in {Seconds} s")]
        public static partial void WriteFailed(ILogger logger, string path, double seconds, Exception exception);

        [LoggerMessage(31, LogLevel.Warning, "No revocation list is published: a root being retired has no CRL (its rotation began before CRLs were published), so revocations are not enforced by the sidecars until that root leaves the bundle")]
        public static partial void NotEnforced(ILogger logger);

        [LoggerMessage(32, LogLevel.Error, "The revocation list could not be signed; the sidecars get none until it can; retrying in {Seconds} s")]
        public static partial void SignFailed(ILogger logger, double seconds, Exception exception);
    }
}
