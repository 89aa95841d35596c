namespace ServiceMesh.Certificates;

// Root rotation and retirement: a new cross-signed root, trust distributed before any leaf moves, old roots retired after the grace.
internal sealed partial class CertificateManager
{
    /// <summary>
    /// New root, cross-signed by the current one; the bundle trusts both; every leaf is re-issued from the new root at
    /// once. The old root leaves the bundle only after all leaves were re-issued and the grace period passed.
    /// </summary>
    public async Task<RootRotationResult> RotateRootAsync(CancellationToken cancellationToken)
    {
        await _rootLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var previous = Trust;
            if (previous.RotationInProgress)
            {
                throw new InvalidOperationException(previous.RetireAfter is { } at
                    ? $"a root rotation is in progress: the previous root stays trusted until {at:O}; rotate again after that"
                    : "a root rotation is in progress: not every certificate has been re-issued from the new root yet");
            }

            var now = _time.GetUtcNow();
            var newer = CertificateAuthority.Create(_settings, now);
            var crossSigned = previous.Active.CrossSign(newer, _settings, now);
            // The old key is not kept: its last CRL is signed now and stays valid for as long as the old root.
            var finalRevocationList = previous.Active.SignRevocationList(_revocations.Entries, now.ToUnixTimeMilliseconds(), now,
                new DateTimeOffset(previous.Active.Root.NotAfter.ToUniversalTime()));
            var next = new TrustState(newer, [previous.Active.Root], crossSigned, null) { RetiringRevocationLists = [finalRevocationList] };
            _caStore.WriteRotation(next);
            Volatile.Write(ref _trust, next);
            Log.RootRotated(_logger, newer.Root.SerialNumber, previous.Active.Root.SerialNumber);
            PublishRevocationList();
            Publish(CertificateChangeKind.TrustBundleChanged, null, null);
            // Every sidecar trusts the new root and has its CRL before any peer presents a leaf of it.
            await DistributeTrustAsync(cancellationToken).ConfigureAwait(false);

            var leaves = _leaves.Values.ToList();
            var failed = 0;
            await RenewAllAsync(leaves, _ => "root-rotation", () => Interlocked.Increment(ref failed), cancellationToken).ConfigureAwait(false);
            var reissued = leaves.Count - failed;
            RetireOldRootsIfAllowed();
            return new RootRotationResult(newer.Root.SerialNumber, new DateTimeOffset(newer.Root.NotAfter.ToUniversalTime()),
                previous.Active.Root.SerialNumber, reissued, failed, Trust.RetireAfter);
        }
        finally
        {
            _rootLock.Release();
        }
    }

    /// <summary>
    /// Waits until every sidecar's validation secret holds the trust bundle and CRL now on disk (bounded by
    /// <see cref="CertificateSettings.TrustDistributionTimeout"/>), then <see cref="CertificateSettings.TrustPropagationDelay"/>
    /// for the Envoys to load them.
    /// </summary>
    private async Task DistributeTrustAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _distributeTrust) is not { } distribute)
        {
            return;
        }

        bool written;
        try
        {
            written = await distribute(cancellationToken).WaitAsync(CertificateSettings.TrustDistributionTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            written = false;
        }
        if (!written)
        {
            Log.TrustNotDistributed(_logger, CertificateSettings.TrustDistributionTimeout.TotalSeconds);
        }

        if (_settings.TrustPropagationDelay > TimeSpan.Zero)
        {
            await Task.Delay(_settings.TrustPropagationDelay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    // Caller holds the root lock.
    private void RetireOldRootsIfAllowed()
    {
        var trust = Trust;
        if (!trust.RotationInProgress || _leaves.Values.Any(l => l.Certificate.IssuerKeyId != trust.Active.KeyId))
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (trust.RetireAfter is not { } retireAfter)
        {
            retireAfter = now + _settings.RootRotationGrace;
            _caStore.WriteRetireAfter(retireAfter);
            Volatile.Write(ref _trust, trust with { RetireAfter = retireAfter });
            Log.AllReissued(_logger, retireAfter);
            return;
        }
        if (now < retireAfter)
        {
            return;
        }

        var next = trust with { RetiringRoots = [], CrossSigned = null, RetireAfter = null, RetiringRevocationLists = [] };
        _caStore.WriteRetired(next);
        Volatile.Write(ref _trust, next);
        Log.OldRootsRetired(_logger, trust.RetiringRoots.Count);
        PublishRevocationList();
        Publish(CertificateChangeKind.TrustBundleChanged, null, null);
    }
}
