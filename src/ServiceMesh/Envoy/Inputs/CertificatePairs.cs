using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ServiceMesh.Certificates;
using ServiceMesh.Envoy.Planning;

namespace ServiceMesh.Envoy.Inputs;

/// <summary>
/// Each sidecar's certificate and key, read together via <see cref="SvidFileStore.ReadResolvedOnce"/> so a re-issue
/// cannot pair a certificate with another key; re-read only when the <c>current</c> link names another generation.
/// </summary>
internal sealed class CertificatePairs
{
    private readonly ConcurrentDictionary<string, CertificatePair> _known = new(StringComparer.Ordinal);

    /// <summary>The pair behind <paramref name="paths"/>; null before the first issuance.</summary>
    public CertificatePair? Of(EnvoyTlsPaths paths)
    {
        var key = paths.CertificateChain;
        try
        {
            var generation = SvidFileStore.GenerationOf(paths.CertificateChain);
            if (generation is not null && _known.TryGetValue(key, out var known) && known.Generation == generation)
            {
                return known;
            }

            if (SvidFileStore.ReadResolvedOnce(paths.CertificateChain, paths.PrivateKey) is not { } pair)
            {
                _known.TryRemove(key, out _);
                return null;
            }
            var read = new CertificatePair(pair.Generation, Convert.ToHexStringLower(SHA256.HashData(pair.Chain).AsSpan(0, 8)),
                Encoding.ASCII.GetString(pair.Chain), Encoding.ASCII.GetString(pair.Key));
            CryptographicOperations.ZeroMemory(pair.Key);
            _known[key] = read;
            return read;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable for a moment: the pair last read stays in the file rather than none (which would ask for a new one).
            return _known.GetValueOrDefault(key);
        }
    }

    /// <summary>Forgets every pair, so the next calls read the files again (the periodic disk check).</summary>
    public void Forget() => _known.Clear();
}
