using ServiceMesh.Configuration;

namespace ServiceMesh.Certificates;

/// <summary>What the certificate authority needs from the runtime's validated options.</summary>
internal sealed record CertificateSettings
{
    /// <summary>NotBefore is backdated so a peer whose clock is slightly behind still accepts a fresh certificate.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(1);

    public required string Folder { get; init; }
    public required string TrustDomain { get; init; }
    public required string Datacenter { get; init; }
    public TimeSpan CaValidity { get; init; } = TimeSpan.FromDays(3650);
    public TimeSpan LeafLifetime { get; init; } = TimeSpan.FromHours(72);

    /// <summary>
    /// How long a published CRL is valid. Re-signed at half of it, so the CRL on disk outlives every leaf issued before
    /// it: a mesh that stopped for good loses its leaves before Envoy would refuse peers for an expired CRL.
    /// </summary>
    public TimeSpan RevocationListValidity => LeafLifetime * 2 > TimeSpan.FromHours(1) ? LeafLifetime * 2 : TimeSpan.FromHours(1);
    public KeyAlgorithm KeyAlgorithm { get; init; } = KeyAlgorithm.EcdsaP256;
    /// <summary>RSA modulus size (CERT_KEY_SIZE); only used when <see cref="KeyAlgorithm"/> is RSA.</summary>
    public int RsaKeySize { get; init; } = 2048;
    /// <summary>How long the previous root stays in the trust bundle after every leaf was re-issued from the new one.</summary>
    public TimeSpan RootRotationGrace { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// In a root rotation, the wait between writing every sds-ca.yaml (new root and CRL) and the first new-root leaf:
    /// Envoy swaps the validation context within milliseconds of the inotify rename, and a verifier still on the old
    /// bundle refuses a new-root leaf. Pointless above the 30 s <see cref="TrustDistributionTimeout"/>.
    /// </summary>
    public TimeSpan TrustPropagationDelay { get; init; } = DefaultTrustPropagationDelay;

    public static readonly TimeSpan DefaultTrustPropagationDelay = TimeSpan.FromSeconds(2);

    /// <summary>How long a rotation waits for the sidecars' files to be written before re-issuing anyway (and saying so).</summary>
    public static readonly TimeSpan TrustDistributionTimeout = TimeSpan.FromSeconds(30);


    public static CertificateSettings From(MeshOptions options) => new()
    {
        Folder = options.CertificatesPath,
        TrustDomain = options.TrustDomain,
        Datacenter = options.ConsulDatacenter,
        CaValidity = TimeSpan.FromDays(options.CaValidityDays),
        LeafLifetime = options.CertLifetime,
        KeyAlgorithm = options.CertKeyAlgorithm,
        RsaKeySize = options.CertKeySize,
        RootRotationGrace = options.CaRotationGrace,
    };

    public string TrustDomainId => $"spiffe://{TrustDomain}";

    public string SpiffeIdFor(string service) => $"spiffe://{TrustDomain}/ns/default/dc/{Datacenter}/svc/{service}";
}
