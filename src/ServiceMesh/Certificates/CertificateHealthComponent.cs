using System.Globalization;
using System.Security.Cryptography;
using ServiceMesh.Health;

namespace ServiceMesh.Certificates;

/// <summary>
/// "certificates" in /health: unhealthy when the CA cannot sign, a leaf is past NotAfter or the CRL expired; degraded
/// when a leaf in its last 10% keeps failing renewal, or the CRL could not be signed or written. Proving the CA key
/// signs (the one costly part) is done once per CA and again while it fails; the rest is read from the manager's state.
/// </summary>
internal sealed class CertificateHealthComponent(CertificateManager manager, TimeProvider time) : IKeptHealthComponent
{
    public const double FinalStretch = 0.1;

    private CertificateAuthority? _proven; // the CA whose key was last shown to sign
    private int _signingProofs;

    public string Name => "certificates";

    /// <summary>How many times the CA key was made to sign (a signature and its verification each).</summary>
    internal int SigningProofs => Volatile.Read(ref _signingProofs);

    public ComponentHealth Current => Check();

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(Check());

    private ComponentHealth Check()
    {
        if (!manager.Started)
        {
            return ComponentHealth.Unhealthy("the CA is not loaded yet");
        }

        var now = time.GetUtcNow();
        var root = manager.Trust.Active;
        var rootNotAfter = new DateTimeOffset(root.Root.NotAfter.ToUniversalTime());
        if (rootNotAfter <= now)
        {
            return ComponentHealth.Unhealthy($"the CA root (serial {root.Root.SerialNumber}) expired at {Format(rootNotAfter)}; rotate it with POST /certificates/ca/rotate");
        }

        if (!CanSign(root, out var signError))
        {
            return ComponentHealth.Unhealthy($"the CA cannot sign: {signError}");
        }

        var leaves = manager.Leaves;
        var expired = leaves.Where(l => l.Certificate.NotAfter <= now).ToList();
        if (expired.Count > 0)
        {
            return ComponentHealth.Unhealthy("expired: " + string.Join("; ", expired.Select(l =>
                $"{l.Service} at {Format(l.Certificate.NotAfter)}{(l.LastError is null ? "" : $" (renewal failing: {l.LastError})")}")));
        }

        var failing = leaves.Where(l => l.FailedRenewals > 0 && l.Certificate.NotAfter - now <= l.Certificate.Lifetime * FinalStretch).ToList();
        if (failing.Count > 0)
        {
            return ComponentHealth.Degraded("renewal keeps failing close to expiry: " + string.Join("; ", failing.Select(l =>
                $"{l.Service} expires {Format(l.Certificate.NotAfter)}, {l.FailedRenewals} failed attempt(s), last: {l.LastError}")));
        }

        var revocation = manager.RevocationList;
        if (revocation.NextUpdate <= now)
        {
            return ComponentHealth.Unhealthy($"the revocation list expired at {Format(revocation.NextUpdate.Value)}: the sidecars refuse every peer certificate until it is signed again"
                + (revocation.Problem is null ? "" : $" ({revocation.Problem})"));
        }

        if (revocation.Problem is not null)
        {
            return ComponentHealth.Degraded($"revocation list: {revocation.Problem}");
        }

        var earliest = leaves.MinBy(l => l.Certificate.NotAfter);
        return ComponentHealth.Healthy($"CA serial {root.Root.SerialNumber} valid until {Format(rootNotAfter)}; {leaves.Count} service certificate(s)"
            + (earliest is null ? "" : $", earliest expiry {earliest.Service} at {Format(earliest.Certificate.NotAfter)}")
            + (manager.Trust.RotationInProgress ? "; root rotation in progress (previous root still trusted)" : "")
            + (revocation.Enforced ? $"; revocation list of {revocation.Revoked}" : "; revocations are not enforced by the sidecars until the previous root is retired"));
    }

    // The key lives in memory with its CA: once it signed, it keeps signing. A failure is not remembered, so it is retried.
    private bool CanSign(CertificateAuthority authority, out string error)
    {
        error = "";
        if (ReferenceEquals(Volatile.Read(ref _proven), authority))
        {
            return true;
        }

        try
        {
            Interlocked.Increment(ref _signingProofs);
            error = "signature did not verify against the root certificate";
            if (!authority.CanSign())
            {
                return false;
            }

            Volatile.Write(ref _proven, authority);
            return true;
        }
        catch (CryptographicException e)
        {
            error = e.Message;
            return false;
        }
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
