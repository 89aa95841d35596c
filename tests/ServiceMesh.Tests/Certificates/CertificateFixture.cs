using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Certificates;

namespace ServiceMesh.Tests.Certificates;

/// <summary>A temporary CERTIFICATES_PATH, a fake clock starting at the real "now" (openssl and TLS check validity against the real clock) and managers over them.</summary>
internal sealed class CertificateFixture : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<CertificateManager> _managers = [];

    /// <param name="root">Where to create the folder (default: the temporary folder).</param>
    public CertificateFixture(Func<CertificateSettings, CertificateSettings>? configure = null, string? root = null)
    {
        Folder = root is null ? Directory.CreateTempSubdirectory("mesh-certs-").FullName
            : Directory.CreateDirectory(Path.Combine(root, "mesh-certs-" + Guid.NewGuid().ToString("N"))).FullName;
        Settings = new CertificateSettings { Folder = Folder, TrustDomain = "lucid.test", Datacenter = "dc1" };
        if (configure is not null)
        {
            Settings = configure(Settings);
        }
    }

    public string Folder { get; }
    public CertificateSettings Settings { get; set; }
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
    public CertificateEventHub Events { get; } = new();

    public CertificateManager Start(ICertificateFileSystem? files = null, Random? random = null)
    {
        var manager = Create(files, random);
        manager.Start();
        return manager;
    }

    public CertificateManager Create(ICertificateFileSystem? files = null, Random? random = null)
    {
        var manager = new CertificateManager(Settings, files ?? CertificateFileSystem.Instance, Time, new RenewalSchedule(random ?? new Random(7)),
            Events, new CertificateMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<CertificateManager>.Instance);
        _managers.Add(manager);
        return manager;
    }

    public string PathOf(string file) => Path.Combine(Folder, file);

    public X509Certificate2Collection ReadChain(string service)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(PathOf(service + ".crt"));
        return chain;
    }

    public X509Certificate2 Leaf(string service) => ReadChain(service)[0];

    public X509Certificate2Collection Bundle()
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(PathOf("ca.crt"));
        return bundle;
    }

    /// <summary>Runs the openssl CLI; returns its exit code and combined output.</summary>
    public static (int ExitCode, string Output) OpenSsl(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close(); // s_client ends at end of input instead of waiting on the test's own stdin
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    /// <summary>
    /// openssl verify of the service's leaf against ca.crt, with the file's intermediates as untrusted, at the fake
    /// clock's time; with <paramref name="checkRevocation"/> also against ca.crl, for the leaf only, as Envoy is told to.
    /// </summary>
    public (int ExitCode, string Output) VerifyWithOpenSsl(string service, string? certificateFile = null, string? bundleFile = null, bool checkRevocation = false)
    {
        var chainFile = certificateFile ?? PathOf(service + ".crt");
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(chainFile);
        var leafFile = Path.Combine(Folder, $"{service}.leaf.{Guid.NewGuid():N}.pem.tmp");
        File.WriteAllText(leafFile, chain[0].ExportCertificatePem());
        var untrusted = Path.Combine(Folder, $"{service}.untrusted.{Guid.NewGuid():N}.pem.tmp");
        File.WriteAllText(untrusted, string.Concat(chain.Skip(1).Select(c => c.ExportCertificatePem() + "\n")));
        List<string> arguments = ["verify", "-CAfile", bundleFile ?? PathOf("ca.crt"), "-attime", Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (chain.Count > 1)
        {
            arguments.AddRange(["-untrusted", untrusted]);
        }

        if (checkRevocation)
        {
            arguments.AddRange(["-crl_check", "-CRLfile", PathOf("ca.crl")]);
        }

        arguments.Add(leafFile);
        try
        {
            return OpenSsl([.. arguments]);
        }
        finally
        {
            File.Delete(leafFile);
            File.Delete(untrusted);
        }
    }

    public void Dispose()
    {
        foreach (var manager in _managers)
        {
            manager.Dispose();
        }

        _services.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The real file layer, except that writes whose path matches a rule fail like a full disk would.</summary>
internal sealed class FaultyFileSystem(Func<string, bool> failWhen) : ICertificateFileSystem
{
    private readonly CertificateFileSystem _real = CertificateFileSystem.Instance;

    public bool Enabled { get; set; } = true;

    public void WriteAtomic(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        Fail(path);
        _real.WriteAtomic(path, content, mode);
    }

    public void WriteNew(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        if (Enabled && failWhen(path))
        {
            // Half a file, then the error: what a full disk does.
            _real.WriteNew(path, content[..(content.Length / 2)], mode);
            throw new IOException($"No space left on device : '{path}'");
        }
        _real.WriteNew(path, content, mode);
    }

    public void ReplaceLink(string link, string target)
    {
        Fail(link);
        _real.ReplaceLink(link, target);
    }

    public void CreateDirectory(string path, UnixFileMode mode) => _real.CreateDirectory(path, mode);
    public void RepairMode(string path, UnixFileMode mode) => _real.RepairMode(path, mode);
    public void SyncDirectory(string path) => _real.SyncDirectory(path);
    public byte[]? ReadIfExists(string path) => _real.ReadIfExists(path);
    public void DeleteFile(string path) => _real.DeleteFile(path);
    public void DeleteDirectory(string path) => _real.DeleteDirectory(path);

    private void Fail(string path)
    {
        if (Enabled && failWhen(path))
        {
            throw new IOException($"No space left on device : '{path}'");
        }
    }
}
