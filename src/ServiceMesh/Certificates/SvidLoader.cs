using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ServiceMesh.Certificates;

/// <summary>
/// Takes over a service's certificate found on disk at start when it is still good: its key matches, it chains to a
/// root in the trust bundle, it has not expired or been revoked, and it names this trust domain and datacenter.
/// </summary>
internal sealed class SvidLoader(CertificateSettings settings, SvidFileStore files, RevocationList revocations)
{
    public const string Revoked = "revoked";

    public (SvidInfo? Info, string? Problem) Load(string service, TrustState trust, DateTimeOffset now)
    {
        if (files.Read(service) is not { } pair)
        {
            return (null, "certificate or key file missing");
        }

        try
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(Encoding.ASCII.GetString(pair.Chain));
            if (chain.Count == 0)
            {
                return (null, "no certificate in the file");
            }

            var leaf = chain[0];
            if (revocations.Contains(leaf.SerialNumber))
            {
                return (null, Revoked);
            }

            string algorithm;
            using (var key = KeyAlgorithms.ImportPrivateKey(leaf, Encoding.ASCII.GetString(pair.Key)))
            {
                if (!KeyAlgorithms.Matches(leaf, key))
                {
                    return (null, "the key does not belong to the certificate");
                }

                algorithm = KeyAlgorithms.Name(key); // the issuer's name for it ("rsa-2048"), so a restart shows the same
            }
            var expected = settings.SpiffeIdFor(service);
            if (SubjectAlternativeNames.Uris(leaf) is not [var uri] || uri != expected)
            {
                return (null, $"its SPIFFE ID is not {expected}");
            }

            if (leaf.NotAfter.ToUniversalTime() <= now.UtcDateTime)
            {
                return (null, $"expired at {leaf.NotAfter.ToUniversalTime():O}");
            }

            if (!ChainsToBundle(leaf, chain, trust, now))
            {
                return (null, "not issued by a root in the trust bundle");
            }

            var authorityKeyId = leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
            var info = new SvidInfo(service, leaf.SerialNumber, uri,
                new DateTimeOffset(leaf.NotBefore.ToUniversalTime()), new DateTimeOffset(leaf.NotAfter.ToUniversalTime()),
                authorityKeyId is { } id ? Convert.ToHexString(id.Span) : "", algorithm);
            return (info, null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return (null, $"unreadable ({e.Message})");
        }
    }

    private static bool ChainsToBundle(X509Certificate2 leaf, X509Certificate2Collection chain, TrustState trust, DateTimeOffset now)
    {
        using var validator = new X509Chain();
        validator.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        validator.ChainPolicy.CustomTrustStore.AddRange(trust.Bundle.ToArray());
        validator.ChainPolicy.ExtraStore.AddRange(chain);
        validator.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        validator.ChainPolicy.DisableCertificateDownloads = true;
        validator.ChainPolicy.VerificationTime = now.UtcDateTime;
        validator.ChainPolicy.VerificationTimeIgnored = false;
        return validator.Build(leaf);
    }
}
