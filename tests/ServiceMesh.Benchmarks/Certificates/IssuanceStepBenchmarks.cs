using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using ServiceMesh.Certificates;

namespace ServiceMesh.Benchmarks.Certificates;

/// <summary>Where a leaf's time goes: each step of issuance alone, to compare with openssl speed's raw sign rate.</summary>
public class IssuanceStepBenchmarks
{
    private ECDsa _key = null!;
    private CertificateAuthority _authority = null!;
    private byte[] _publicKeyInfo = [];
    private readonly byte[] _digest = SHA256.HashData("lucid"u8);

    [GlobalSetup]
    public void Setup()
    {
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var settings = new CertificateSettings { Folder = Path.GetTempPath(), TrustDomain = "lucid.local", Datacenter = "lucid-dc" };
        _authority = CertificateAuthority.Create(settings, DateTimeOffset.UtcNow);
        _publicKeyInfo = _key.ExportSubjectPublicKeyInfo();
    }

    [Benchmark]
    public ECParameters GenerateP256Key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportParameters(false);
    }

    [Benchmark]
    public byte[] SignDigest() => _key.SignHash(_digest);

    [Benchmark]
    public byte[] EncodeAndSignCertificate() => _authority.SignLeaf(new X500DistinguishedName("CN=api-gateway"), _publicKeyInfo,
        DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(72), KeyAlgorithms.RandomSerial(), [SubjectAlternativeNames.Build("spiffe://lucid.local/ns/default/dc/lucid-dc/svc/api-gateway", "api-gateway")]);

    [Benchmark]
    public byte[] ExportPkcs8Pem() => KeyAlgorithms.ExportPrivateKeyPem(_key);

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _authority.Dispose();
    }
}
