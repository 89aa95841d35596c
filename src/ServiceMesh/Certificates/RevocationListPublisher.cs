using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace ServiceMesh.Certificates;

/// <summary>What ca.crl holds now, for /health and the renewal loop.</summary>
/// <param name="Enforced">ca.crl exists and covers every root of the bundle, so Envoy checks leaves against it.</param>
/// <param name="NextUpdate">When the active root's CRL on disk expires; a verifier then refuses every leaf of that root.</param>
/// <param name="RefreshAt">When it is signed again (half its validity, or a retry after a failure).</param>
/// <param name="Problem">Why the last attempt to write it failed; null after a success.</param>
internal sealed record RevocationListStatus(bool Enforced, int Revoked, DateTimeOffset? NextUpdate, DateTimeOffset? RefreshAt, string? Problem)
{
    public static readonly RevocationListStatus NotPublished = new(false, 0, null, null, null);
}

/// <summary>
/// Signs the active root's CRL from the revocation list and writes ca.crl with the retiring roots' final CRLs, or
/// removes it while a retiring root has none. Calls are serialized, and each reads the state it is given at that
/// moment, so the last call after any change (revocation, rotation, retirement) leaves the file current.
/// </summary>
internal sealed partial class RevocationListPublisher(CertificateSettings settings, RevocationListFile file, TimeProvider time, ILogger logger)
{
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private RevocationListStatus _status = RevocationListStatus.NotPublished;
    private long _lastNumber;

    public RevocationListStatus Status => Volatile.Read(ref _status);

    /// <summary>True when ca.crl was written or removed; false when that failed (retried at <see cref="RevocationListStatus.RefreshAt"/>).</summary>
    public bool Publish(TrustState trust, IReadOnlyList<RevokedCertificate> revoked)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var previous = Status;
            try
            {
                RevocationListStatus next;
                if (trust.EveryRootHasRevocationList)
                {
                    var nextUpdate = now + settings.RevocationListValidity;
                    // The clock in milliseconds keeps the number growing across restarts; +1 keeps it growing within one.
                    var number = Math.Max(now.ToUnixTimeMilliseconds(), _lastNumber + 1);
                    file.Write([trust.Active.SignRevocationList(revoked, number, now, nextUpdate), .. trust.RetiringRevocationLists]);
                    _lastNumber = number;
                    next = new RevocationListStatus(true, revoked.Count, nextUpdate, now + settings.RevocationListValidity / 2, null);
                }
                else
                {
                    file.Delete();
                    next = RevocationListStatus.NotPublished with { Revoked = revoked.Count };
                    if (previous.Enforced || previous == RevocationListStatus.NotPublished)
                        Log.NotEnforced(logger, file.FilePath);
                }
                Volatile.Write(ref _status, next);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                Log.WriteFailed(logger, file.FilePath, RetryDelay.TotalSeconds, e);
                Volatile.Write(ref _status, previous with { RefreshAt = now + RetryDelay, Problem = e.Message });
                return false;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Error, "{Path} could not be written; Envoy does not see revocations made since; retrying in {Seconds} s")]
        public static partial void WriteFailed(ILogger logger, string path, double seconds, Exception exception);

        [LoggerMessage(31, LogLevel.Warning, "{Path} removed: a root being retired has no CRL (its rotation began before CRLs were published), so revocations are not enforced by Envoy until that root leaves the bundle")]
        public static partial void NotEnforced(ILogger logger, string path);
    }
}
