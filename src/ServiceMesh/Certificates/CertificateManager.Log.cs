namespace ServiceMesh.Certificates;

internal sealed partial class CertificateManager
{
    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Information, "Certificate {Kind} for {Service} ({Reason}): serial {Serial}, valid until {NotAfter:O}, renews at {RenewAt:O}")]
        public static partial void Issued(ILogger logger, string service, CertificateChangeKind kind, string reason, string serial, DateTimeOffset notAfter, DateTimeOffset renewAt);

        [LoggerMessage(11, LogLevel.Error, "Issuing a certificate for {Service} ({Reason}) failed; the previous certificate, if any, is still in place")]
        public static partial void IssueFailed(ILogger logger, string service, string reason, Exception exception);

        [LoggerMessage(12, LogLevel.Warning, "Renewal of {Service} failed ({Failures} in a row), retrying at {RetryAt:O}: {Error}")]
        public static partial void RenewalFailed(ILogger logger, string service, int failures, DateTimeOffset retryAt, string error);

        [LoggerMessage(13, LogLevel.Information, "Certificate of {Service} revoked (serial {Serial}); its files were removed")]
        public static partial void Revoked(ILogger logger, string service, string serial);

        [LoggerMessage(14, LogLevel.Warning, "Re-issuing the certificate of {Service} found at start: {Problem}")]
        public static partial void ReissuingAtStart(ILogger logger, string service, string problem);

        [LoggerMessage(15, LogLevel.Information, "Certificates ready: {Leaves} service certificate(s) on disk, {Roots} root(s) in the trust bundle")]
        public static partial void Started(ILogger logger, int leaves, int roots);

        [LoggerMessage(16, LogLevel.Warning, "Root CA rotated: new root serial {Serial}, cross-signed by the previous root {PreviousSerial}; both are trusted until every certificate is re-issued and the grace period passes")]
        public static partial void RootRotated(ILogger logger, string serial, string previousSerial);

        [LoggerMessage(17, LogLevel.Information, "Every certificate is issued by the new root; the previous root leaves the trust bundle at {RetireAfter:O}")]
        public static partial void AllReissued(ILogger logger, DateTimeOffset retireAfter);

        [LoggerMessage(19, LogLevel.Warning, "libcrypto.so.3 cannot be used directly: P-256 leaf keys come from .NET's ECDsa, about five times slower to issue")]
        public static partial void SlowKeyGeneration(ILogger logger);

        [LoggerMessage(21, LogLevel.Warning, "Root rotation: not every sidecar's trust bundle and CRL could be written within {Seconds} s; re-issuing anyway (a sidecar still on the old bundle may refuse peers with new leaves until its files are written)")]
        public static partial void TrustNotDistributed(ILogger logger, double seconds);

        [LoggerMessage(20, LogLevel.Warning, "The certificate of {Service} has no single-file bundle ({Service}.pem) yet and it could not be added (it comes with the next renewal): {Error}")]
        public static partial void LayoutNotCompleted(ILogger logger, string service, string error);

        [LoggerMessage(18, LogLevel.Information, "Removed {Count} previous root(s) from the trust bundle")]
        public static partial void OldRootsRetired(ILogger logger, int count);
    }
}
