using BenchmarkDotNet.Attributes;
using ServiceMesh.Certificates;

namespace ServiceMesh.Benchmarks.Certificates;

/// <summary>
/// What a revocation costs beyond recording it: signing the active root's CRL over every revoked serial, and that plus
/// the atomic write of ca.crl (temp file, fsync, rename, folder fsync), for 10 and 1,000 revoked certificates.
/// </summary>
[MemoryDiagnoser]
public class RevocationListBenchmarks
{
    private string _folder = "";
    private CertificateAuthority _authority = null!;
    private RevocationListFile _file = null!;
    private List<RevokedCertificate> _revoked = [];
    private long _number;

    [Params(10, 1_000)]
    public int Revoked { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("mesh-bench-crl-").FullName;
        var settings = new CertificateSettings { Folder = _folder, TrustDomain = "lucid.local", Datacenter = "lucid-dc" };
        _authority = CertificateAuthority.Create(settings, DateTimeOffset.UtcNow);
        _file = new RevocationListFile(_folder, CertificateFileSystem.Instance);
        _revoked = [.. Enumerable.Range(0, Revoked).Select(i => new RevokedCertificate($"svc-{i}", Convert.ToHexString(KeyAlgorithms.RandomSerial()), DateTimeOffset.UtcNow))];
    }

    [Benchmark]
    public int Sign()
    {
        var now = DateTimeOffset.UtcNow;
        return _authority.SignRevocationList(_revoked, ++_number, now, now.AddHours(144)).Length;
    }

    [Benchmark]
    public void SignAndWrite()
    {
        var now = DateTimeOffset.UtcNow;
        _file.Write(RevocationListFile.Pem([_authority.SignRevocationList(_revoked, ++_number, now, now.AddHours(144))]));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _authority.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
