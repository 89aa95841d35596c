using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ServiceMesh.Certificates;

/// <summary>
/// ca.crt (bundle: active root, then retiring roots), ca.key (active root's, 0600), ca.cross.crt (active root signed by
/// the previous, during a rotation), ca.retiring.crl (previous root's final CRL), ca.rotation (when the previous root
/// may leave the bundle). Created once, then loaded; never overwritten because it looks wrong.
/// </summary>
internal sealed partial class CaStore(CertificateSettings settings, ICertificateFileSystem files, ILogger logger)
{
    public const string CertificateFileName = "ca.crt";
    public const string KeyFileName = "ca.key";
    private const string CrossSignedFileName = "ca.cross.crt";
    private const string RotationFileName = "ca.rotation";
    private const string RetiringRevocationListFileName = "ca.retiring.crl";
    private const UnixFileMode KeyMode = ICertificateFileSystem.PrivateMode;
    private const UnixFileMode PublicMode = ICertificateFileSystem.PublicMode;

    private string CertificatePath => Path.Combine(settings.Folder, CertificateFileName);
    private string KeyPath => Path.Combine(settings.Folder, KeyFileName);
    private string CrossSignedPath => Path.Combine(settings.Folder, CrossSignedFileName);
    private string RotationPath => Path.Combine(settings.Folder, RotationFileName);
    private string RetiringRevocationListPath => Path.Combine(settings.Folder, RetiringRevocationListFileName);

    public TrustState LoadOrCreate(DateTimeOffset now)
    {
        var certificate = Read(CertificatePath);
        var key = Read(KeyPath);
        if (certificate is null && key is null)
        {
            return Create(now);
        }

        if (certificate is null || key is null)
        {
            var (present, missing) = certificate is null ? (KeyPath, CertificatePath) : (CertificatePath, KeyPath);
            throw Problem($"{present} exists but {missing} does not. The CA is never regenerated while one of its files exists: "
                + $"restore {Path.GetFileName(missing)} from a backup, or move {Path.GetFileName(present)} away to create a new CA (certificates it issued then become untrusted).");
        }
        try
        {
            var state = Load(certificate, key);
            RepairModes();
            return state;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    // A CA written by an earlier version under umask 077 has a ca.crt no sidecar of another user can read (and under
    // a loose umask, folders anyone could write). Best effort: a CA that loads is not refused over a mode.
    private void RepairModes()
    {
        foreach (var (path, mode) in new[] { (KeyPath, KeyMode), (CertificatePath, PublicMode), (CrossSignedPath, PublicMode), (RetiringRevocationListPath, PublicMode), (RotationPath, PublicMode) })
        {
            try
            {
                if (File.Exists(path))
                {
                    files.RepairMode(path, mode);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.ModeNotRepaired(logger, path, Convert.ToString((int)mode, 8), e.Message);
            }
        }
    }

    /// <summary>Persists a rotation: the bundle with both roots first (still valid for the old key), then the new key last.</summary>
    public void WriteRotation(TrustState next)
    {
        files.WriteAtomic(CertificatePath, CertificateAuthority.PemBytes(next.Bundle), PublicMode);
        if (next.CrossSigned is not null)
        {
            files.WriteAtomic(CrossSignedPath, CertificateAuthority.PemBytes([next.CrossSigned]), PublicMode);
        }

        if (next.RetiringRevocationLists.Count > 0)
        {
            files.WriteAtomic(RetiringRevocationListPath, RevocationListFile.Pem(next.RetiringRevocationLists), PublicMode);
        }

        WriteKey(next.Active);
    }

    public void WriteRetireAfter(DateTimeOffset retireAfter) =>
        files.WriteAtomic(RotationPath, Encoding.ASCII.GetBytes(retireAfter.ToString("O", CultureInfo.InvariantCulture) + "\n"), PublicMode);

    /// <summary>Ends a rotation: the bundle keeps only the active root.</summary>
    public void WriteRetired(TrustState next)
    {
        files.WriteAtomic(CertificatePath, CertificateAuthority.PemBytes(next.Bundle), PublicMode);
        files.DeleteFile(CrossSignedPath);
        files.DeleteFile(RetiringRevocationListPath);
        files.DeleteFile(RotationPath);
        files.SyncDirectory(settings.Folder);
    }

    private TrustState Create(DateTimeOffset now)
    {
        files.CreateDirectory(settings.Folder, ICertificateFileSystem.FolderMode);
        var authority = CertificateAuthority.Create(settings, now);
        // Key first: a crash between the two writes leaves ca.key without ca.crt, which the next start reports
        // instead of silently creating a second CA.
        WriteKey(authority);
        files.WriteAtomic(CertificatePath, CertificateAuthority.PemBytes([authority.Root]), PublicMode);
        Log.Created(logger, CertificatePath, authority.Root.SerialNumber, authority.KeyAlgorithmName, authority.Root.NotAfter.ToUniversalTime());
        return new TrustState(authority, [], null, null);
    }

    private TrustState Load(byte[] certificatePem, byte[] keyPem)
    {
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPem(Encoding.ASCII.GetString(certificatePem));
        }
        catch (CryptographicException e)
        {
            throw Problem($"{CertificatePath} is not a readable PEM certificate file ({e.Message}). It was left untouched; restore it from a backup.", e);
        }
        if (bundle.Count == 0)
        {
            throw Problem($"{CertificatePath} contains no certificate. It was left untouched; restore it from a backup.");
        }

        var key = ImportKey(keyPem);
        var index = bundle.ToList().FindIndex(root => KeyAlgorithms.Matches(root, key));
        if (index < 0)
        {
            key.Dispose();
            throw Problem($"{KeyPath} does not match {CertificatePath}: the private key belongs to another certificate. "
                + "Both files were left untouched; restore the matching pair from a backup.");
        }
        var authority = CertificateAuthority.FromParts(bundle[index], key);
        if (authority.Root.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            throw Problem($"{CertificatePath}: the certificate matching {KeyPath} is not a CA certificate (basicConstraints CA:true missing).");
        }

        // Roots listed before the active one come from a rotation interrupted before its key was written: nothing can sign with them.
        if (index > 0)
        {
            Log.DroppedInterruptedRotation(logger, index, CertificatePath);
            files.WriteAtomic(CertificatePath, CertificateAuthority.PemBytes(bundle.Skip(index)), PublicMode);
        }
        var retiring = bundle.Skip(index + 1).ToList();
        var state = new TrustState(authority, retiring, retiring.Count > 0 ? ReadCrossSigned(authority) : null, retiring.Count > 0 ? ReadRetireAfter() : null)
        {
            RetiringRevocationLists = retiring.Count > 0 ? ReadRetiringRevocationLists(retiring) : [],
        };
        Log.Loaded(logger, CertificatePath, authority.Root.SerialNumber, authority.KeyAlgorithmName, authority.Root.NotAfter.ToUniversalTime(), retiring.Count);
        return state;
    }

    private AsymmetricAlgorithm ImportKey(byte[] keyPem)
    {
        var text = Encoding.ASCII.GetString(keyPem);
        foreach (var candidate in new Func<AsymmetricAlgorithm>[] { () => ECDsa.Create(), () => RSA.Create() })
        {
            var key = candidate();
            try
            {
                key.ImportFromPem(text);
                return key;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                key.Dispose();
            }
        }
        throw Problem($"{KeyPath} is not a readable PKCS#8 PEM private key (ECDSA or RSA). It was left untouched; restore it from a backup.");
    }

    private X509Certificate2? ReadCrossSigned(CertificateAuthority active)
    {
        if (Read(CrossSignedPath) is not { } pem)
        {
            return null;
        }

        var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(pem));
        var samePublicKey = certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(active.Root.PublicKey.ExportSubjectPublicKeyInfo());
        return samePublicKey ? certificate : null;
    }

    // Only lists a retiring root really signed count; the file is left as it is (never overwritten because it looks wrong).
    private List<byte[]> ReadRetiringRevocationLists(List<X509Certificate2> retiring)
    {
        if (Read(RetiringRevocationListPath) is not { } pem)
        {
            return [];
        }

        var all = RevocationListFile.ParsePem(Encoding.ASCII.GetString(pem));
        var valid = all.Where(crl => retiring.Any(root => RevocationListFile.IsSignedBy(crl, root))).ToList();
        if (valid.Count < all.Count || valid.Count < retiring.Count)
        {
            Log.RetiringRevocationListsUnusable(logger, RetiringRevocationListPath, all.Count - valid.Count, retiring.Count);
        }

        return valid;
    }

    private DateTimeOffset? ReadRetireAfter() =>
        Read(RotationPath) is { } text && DateTimeOffset.TryParse(Encoding.ASCII.GetString(text).Trim(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at : null;

    private void WriteKey(CertificateAuthority authority)
    {
        var pem = authority.ExportPrivateKeyPem();
        try
        {
            files.WriteAtomic(KeyPath, pem, KeyMode);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pem);
        }
    }

    private byte[]? Read(string path)
    {
        try
        {
            return files.ReadIfExists(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Problem($"{path} cannot be read ({e.Message}). Fix its ownership (65532:65532) or permissions; it was left untouched.", e);
        }
    }

    private CertificateAuthorityException Problem(string message, Exception? inner = null) =>
        inner is null ? new($"CERTIFICATES_PATH={settings.Folder}: {message}") : new($"CERTIFICATES_PATH={settings.Folder}: {message}", inner);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Created the mesh CA {Path} (serial {Serial}, {Algorithm}, valid until {NotAfter:O})")]
        public static partial void Created(ILogger logger, string path, string serial, string algorithm, DateTime notAfter);

        [LoggerMessage(2, LogLevel.Information, "Loaded the mesh CA {Path} (serial {Serial}, {Algorithm}, valid until {NotAfter:O}; {Retiring} previous root(s) still trusted)")]
        public static partial void Loaded(ILogger logger, string path, string serial, string algorithm, DateTime notAfter, int retiring);

        [LoggerMessage(4, LogLevel.Warning, "{Path}: {Invalid} list(s) not signed by a root being retired were ignored; with {Retiring} such root(s), revocations are enforced only if each has a valid list")]
        public static partial void RetiringRevocationListsUnusable(ILogger logger, string path, int invalid, int retiring);

        [LoggerMessage(5, LogLevel.Warning, "{Path} should have mode {Mode} and could not be given it ({Reason}); fix its ownership (65532:65532) or set the mode by hand")]
        public static partial void ModeNotRepaired(ILogger logger, string path, string mode, string reason);

        [LoggerMessage(3, LogLevel.Warning, "Removed {Count} root(s) from {Path} left by an interrupted root rotation (their keys were never written)")]
        public static partial void DroppedInterruptedRotation(ILogger logger, int count, string path);
    }
}
