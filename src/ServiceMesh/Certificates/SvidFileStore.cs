using ServiceMesh.Configuration;
namespace ServiceMesh.Certificates;

/// <summary>
/// A service's certificate and key, replaced as one unit (layout in the README): a new pair is written in full to its
/// own generation folder, then one rename of <c>current</c> switches both, so even a crash never shows a mix (the
/// Kubernetes secret-volume scheme Envoy's <c>watched_directory</c> follows). See <see cref="ReadResolvedOnce"/>.
/// </summary>
internal sealed class SvidFileStore(string folder, ICertificateFileSystem files)
{
    public const string StateFolderName = ".svid";
    private const string CertificateFile = "svid.crt";
    private const string KeyFile = "svid.key";
    private const string CurrentLink = "current";
    private const UnixFileMode KeyMode = ICertificateFileSystem.PrivateMode;
    private const UnixFileMode CertificateMode = ICertificateFileSystem.PublicMode;
    // A sidecar passes through .svid/<name>/<serial> to its files: readable folders (the key inside stays 0600).
    // Writable by the mesh alone, or anyone could swap the `current` link.
    private const UnixFileMode FolderMode = ICertificateFileSystem.FolderMode;

    public string Folder => folder;

    public string CertificatePath(string service) => Path.Combine(folder, service + ".crt");

    public string KeyPath(string service) => Path.Combine(folder, service + ".key");

    /// <summary>Key, leaf and chain in one file (0600): one open reads one generation, so the pair always matches.</summary>
    public string BundlePath(string service) => Path.Combine(folder, service + ".pem");

    /// <summary>
    /// The certificate and key as a sidecar should name them: inside the service's own folder, behind the link that one
    /// rename switches. These paths end in fixed names (<c>svid.crt</c>, <c>svid.key</c>) below <c>.svid/&lt;name&gt;/</c>,
    /// so whatever the name, they can never be the CA's <c>ca.crt</c> or <c>ca.key</c>.
    /// </summary>
    public string CurrentCertificatePath(string service) => Path.Combine(ServiceFolder(service), CurrentLink, CertificateFile);

    /// <inheritdoc cref="CurrentCertificatePath"/>
    public string CurrentKeyPath(string service) => Path.Combine(ServiceFolder(service), CurrentLink, KeyFile);

    /// <summary>The folder in which the service's pair is switched by one rename: what a file watcher should watch.</summary>
    public string WatchedDirectory(string service) => ServiceFolder(service);

    public string TrustBundlePath => Path.Combine(folder, CaStore.CertificateFileName);

    /// <summary>Writes the pair as a new generation and switches to it. On failure the previous pair stays current and untouched.</summary>
    public void Write(IssuedSvid svid)
    {
        var service = svid.Info.Service;
        var serviceFolder = ServiceFolder(service);
        var generation = Path.Combine(serviceFolder, svid.Info.Serial);
        var previous = CurrentGeneration(service);
        var firstWrite = !Directory.Exists(serviceFolder);
        try
        {
            files.CreateDirectory(generation, FolderMode);
            RepairMode(Path.GetDirectoryName(serviceFolder)!);
            RepairMode(serviceFolder);
            if (firstWrite)
            {
                files.SyncDirectory(Path.GetDirectoryName(serviceFolder)!); // .svid now lists the service's folder
            }

            files.WriteNew(Path.Combine(generation, KeyFile), svid.KeyPem, KeyMode);
            files.WriteNew(Path.Combine(generation, CertificateFile), svid.ChainPem, CertificateMode);
            files.SyncDirectory(generation);
            files.SyncDirectory(serviceFolder); // the new generation's entry is durable before anything points at it
            files.ReplaceLink(Path.Combine(serviceFolder, CurrentLink), svid.Info.Serial);
        }
        catch
        {
            TryDelete(generation); // a half-written generation is never current, so removing it is safe
            throw;
        }
        EnsureVisibleLinks(service);
        RemoveGenerationsExcept(service, svid.Info.Serial, previous);
        // A regular file, not a link into current/: a link's path is walked at open and can meet a generation being
        // removed; a rename never leaves the name missing. Written after the swap, so the bundle is never newer than
        // current/; if it fails the issuance fails (and is retried), and every start checks it again.
        WriteBundle(BundlePath(service), svid.KeyPem, svid.ChainPem);
    }

    /// <summary>The current pair's PEM text, both from one generation; null when the service has none.</summary>
    public (byte[] Chain, byte[] Key)? Read(string service) =>
        ReadResolvedOnce(CurrentCertificatePath(service), CurrentKeyPath(service)) is { } pair ? (pair.Chain, pair.Key) : null;

    /// <summary>
    /// Reads a certificate and key through a link swapped by rename (<c>.svid/&lt;name&gt;/current</c>), resolved once
    /// so both come from one generation; a generation is removed two swaps later, so a reader that lost that race
    /// resolves again. Null when there is no pair; <see cref="SvidPair.Generation"/> names the folder (the serial).
    /// </summary>
    public static SvidPair? ReadResolvedOnce(string certificatePath, string keyPath)
    {
        var link = Path.GetDirectoryName(certificatePath)!;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var target = new DirectoryInfo(link).LinkTarget;
            var generation = target is null ? link : Path.Combine(Path.GetDirectoryName(link)!, target);
            try
            {
                var chain = File.ReadAllBytes(Path.Combine(generation, Path.GetFileName(certificatePath)));
                var key = File.ReadAllBytes(Path.Combine(generation, Path.GetFileName(keyPath)));
                return new SvidPair(target ?? "", chain, key);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                if (target is null)
                {
                    return null;
                }
            }
        }
        return null;
    }

    /// <summary>The name of the generation <c>current</c> points at (the serial), or null when there is none.</summary>
    public static string? GenerationOf(string certificatePath) => new DirectoryInfo(Path.GetDirectoryName(certificatePath)!).LinkTarget;

    /// <summary>
    /// Makes <c>&lt;name&gt;.pem</c> hold the current pair (absent when written by an earlier version, stale after a
    /// failed write); run at start for every pair taken over. Unchanged files are not touched.
    /// </summary>
    public void CompleteLayout(string service)
    {
        if (ReadResolvedOnce(CurrentCertificatePath(service), CurrentKeyPath(service)) is not { } pair)
        {
            return;
        }

        try
        {
            var existing = files.ReadIfExists(BundlePath(service));
            if (existing is null || !IsBundle(existing, pair.Key, pair.Chain))
            {
                WriteBundle(BundlePath(service), pair.Key, pair.Chain);
            }

            if (existing is not null)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(existing);
            }
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(pair.Key);
        }
    }

    /// <summary>Services with a certificate on disk (names that are not valid service names are ignored).</summary>
    public IEnumerable<string> Services()
    {
        var state = Path.Combine(folder, StateFolderName);
        if (!Directory.Exists(state))
        {
            return [];
        }

        return Directory.EnumerateDirectories(state).Select(Path.GetFileName).OfType<string>()
            .Where(name => ServiceName.IsValid(name, out _) && File.Exists(CertificatePath(name)))
            .Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Removes the visible links first (readers stop finding the pair), then the generations.</summary>
    public void Delete(string service)
    {
        files.DeleteFile(BundlePath(service));
        files.DeleteFile(CertificatePath(service));
        files.DeleteFile(KeyPath(service));
        files.SyncDirectory(folder);
        files.DeleteDirectory(ServiceFolder(service));
    }

    // Key first, then leaf and chain (HAProxy's crt file, and what most tools accept); the copy of the key is zeroed after.
    private void WriteBundle(string path, ReadOnlySpan<byte> key, ReadOnlySpan<byte> chain)
    {
        var separator = Separator(key);
        var bundle = new byte[key.Length + separator.Length + chain.Length];
        try
        {
            key.CopyTo(bundle);
            separator.CopyTo(bundle.AsSpan(key.Length));
            chain.CopyTo(bundle.AsSpan(key.Length + separator.Length));
            files.WriteAtomic(path, bundle, KeyMode);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bundle);
        }
    }

    private static bool IsBundle(ReadOnlySpan<byte> bundle, ReadOnlySpan<byte> key, ReadOnlySpan<byte> chain)
    {
        var separator = Separator(key);
        return bundle.Length == key.Length + separator.Length + chain.Length && bundle.StartsWith(key)
            && bundle[key.Length..].StartsWith(separator) && bundle.EndsWith(chain);
    }

    private static ReadOnlySpan<byte> Separator(ReadOnlySpan<byte> key) => key.Length > 0 && key[^1] != (byte)'\n' ? "\n"u8 : [];

    private string ServiceFolder(string service) => Path.Combine(folder, StateFolderName, service);

    private string? CurrentGeneration(string service)
    {
        var link = new FileInfo(Path.Combine(ServiceFolder(service), CurrentLink));
        return link.LinkTarget;
    }

    // Relative targets, so the folder can be mounted anywhere (another container, another path).
    private void EnsureVisibleLinks(string service)
    {
        foreach (var (path, file) in new[] { (CertificatePath(service), CertificateFile), (KeyPath(service), KeyFile) })
        {
            var target = Path.Combine(StateFolderName, service, CurrentLink, file);
            if (new FileInfo(path).LinkTarget != target)
            {
                files.ReplaceLink(path, target);
            }
        }
    }

    private void RemoveGenerationsExcept(string service, string current, string? previous)
    {
        foreach (var directory in Directory.EnumerateDirectories(ServiceFolder(service)))
        {
            var name = Path.GetFileName(directory);
            if (name != current && name != previous && new FileInfo(directory).LinkTarget is null)
            {
                TryDelete(directory);
            }
        }
    }

    // Folders an earlier version created with the umask's bits (0777 under umask 000). Best effort: a folder the mesh
    // cannot chmod is not its own, and refusing to issue would take the sidecar's identity away for a mode.
    private void RepairMode(string directory)
    {
        try
        {
            files.RepairMode(directory, FolderMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void TryDelete(string directory)
    {
        try
        {
            files.DeleteDirectory(directory);
        }
        catch (IOException)
        {
            // Leftover generations are harmless: nothing points at them. The next write tries again.
        }
    }
}

/// <summary>A certificate chain and its key read from one generation (<see cref="Generation"/>: its folder's name, the serial).</summary>
internal sealed record SvidPair(string Generation, byte[] Chain, byte[] Key)
{
    public override string ToString() => $"SvidPair {{ Generation = {Generation} }}"; // never the key
}
