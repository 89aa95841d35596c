namespace ServiceMesh.Certificates;

// Renewal of due leaves, a few at a time, with a retry schedule for the ones that fail.
internal sealed partial class CertificateManager
{
    /// <summary>Renews every leaf that is due (or still from a previous root), then retires old roots when allowed.</summary>
    public async Task RenewDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_revocationPublisher.Status.RefreshAt <= now)
        {
            PublishRevocationList();
        }

        var activeKeyId = Trust.Active.KeyId;
        var due = _leaves.Values.Where(l => l.RenewAt <= now || l.Certificate.IssuerKeyId != activeKeyId).ToList();
        if (due.Any(l => l.Certificate.IssuerKeyId != activeKeyId))
        {
            await DistributeTrustAsync(cancellationToken).ConfigureAwait(false); // a rotation the restart interrupted: trust first here too
        }

        await RenewAllAsync(due, leaf => leaf.Certificate.IssuerKeyId != activeKeyId ? "root-rotation" : "schedule", () => { }, cancellationToken).ConfigureAwait(false);
        await _rootLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RetireOldRootsIfAllowed();
        }
        finally
        {
            _rootLock.Release();
        }
    }

    /// <summary>
    /// Renews a few at a time: each renewal mostly waits for fsync, and concurrent fsyncs share journal commits, so a
    /// root rotation's thousand renewals take a fraction of the time one after another would.
    /// </summary>
    private Task RenewAllAsync(IReadOnlyList<LeafState> leaves, Func<LeafState, string> reason, Action failed, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(leaves, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentRenewals, CancellationToken = cancellationToken },
            async (leaf, ct) =>
            {
                if (!await RenewAsync(leaf, reason(leaf), ct).ConfigureAwait(false))
                {
                    failed();
                }
            });

    /// <summary>Returns false (and schedules a retry) when renewal failed; true when renewed or someone else already did.</summary>
    private async Task<bool> RenewAsync(LeafState due, string reason, CancellationToken cancellationToken)
    {
        var gate = Gate(due.Service);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _leaves.GetValueOrDefault(due.Service);
            if (current is null || (current.Version != due.Version && current.Certificate.IssuerKeyId == Trust.Active.KeyId))
            {
                return true; // revoked, or renewed by someone else in the meantime
            }

            try
            {
                IssueLocked(due.Service, CertificateChangeKind.Renewed, reason);
                return true;
            }
            catch (Exception e) when (IsIssuanceFailure(e))
            {
                var failures = current.FailedRenewals + 1;
                var retryAt = _time.GetUtcNow() + RenewalSchedule.RetryDelay(failures);
                _leaves[due.Service] = current with { FailedRenewals = failures, LastError = e.Message, RenewAt = retryAt };
                Log.RenewalFailed(_logger, due.Service, failures, retryAt, e.Message);
                return false;
            }
        }
        finally
        {
            gate.Release();
        }
    }
}
