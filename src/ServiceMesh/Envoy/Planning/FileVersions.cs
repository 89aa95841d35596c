using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ServiceMesh.Envoy.Planning;

/// <summary>
/// A short hash of a file's content ("none" when absent); reused while mtime, size and folder link are unchanged, as
/// hashing 1,000 certificates per generation cost ~20 ms. The relinked folder tells same-tick issuances apart.
/// </summary>
internal sealed class FileVersions
{
    public const string None = "none";

    private readonly ConcurrentDictionary<string, (DateTime Modified, long Length, string? Folder, string Version)> _known = new(StringComparer.Ordinal);

    public string Of(string path)
    {
        try
        {
            // .NET reports a symbolic link's own time; the pair lives behind links (<svc>.crt -> .svid/<svc>/current/...).
            var file = File.ResolveLinkTarget(path, returnFinalTarget: true) as FileInfo ?? new FileInfo(path);
            if (!file.Exists)
            {
                _known.TryRemove(path, out _);
                return None; // before the first issuance
            }
            var (modified, length, folder) = (file.LastWriteTimeUtc, file.Length, file.Directory?.LinkTarget);
            if (_known.TryGetValue(path, out var known) && known.Modified == modified && known.Length == length && known.Folder == folder)
            {
                return known.Version;
            }

            var version = Hash(file.FullName);
            _known[path] = (modified, length, folder, version);
            return version;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return None;
        }
    }

    /// <summary>Forgets every hash, so the next calls read the files again (the periodic disk check).</summary>
    public void Forget() => _known.Clear();

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream).AsSpan(0, 8));
    }
}
