using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServiceMesh.Certificates;
using ServiceMesh.Configuration;
using Xunit;

namespace ServiceMesh.Tests.Certificates;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class IssuedCertificateTests : IDisposable
{
    private readonly CertificateFixture _fixture = new();

    [Fact]
    public async Task IssueAsync_NewService_WritesSvidWithEveryRequiredField()
    {
        var manager = _fixture.Start();
        var now = _fixture.Time.GetUtcNow();

        var state = await manager.IssueAsync("api-gateway", CancellationToken.None);

        var leaf = _fixture.Leaf("api-gateway");
        var root = _fixture.Bundle()[0];
        leaf.Subject.ShouldBe("CN=api-gateway");
        SubjectAlternativeNames.Uris(leaf).ShouldBe(["spiffe://lucid.test/ns/default/dc/dc1/svc/api-gateway"]);
        leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ShouldBe(["api-gateway", "api-gateway.lucid.local"]);
        var basic = leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        basic.CertificateAuthority.ShouldBeFalse();
        basic.Critical.ShouldBeTrue();
        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        usage.KeyUsages.ShouldBe(X509KeyUsageFlags.DigitalSignature);
        usage.Critical.ShouldBeTrue();
        leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value)
            .ShouldBe(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
        var ski = leaf.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier;
        ski.ShouldNotBeNullOrEmpty();
        var rootSki = root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier;
        Convert.ToHexString(leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.Span).ShouldBe(rootSki);
        var serial = new BigInteger(leaf.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true);
        serial.ShouldBeGreaterThan(BigInteger.Pow(2, 64));
        leaf.GetKeyAlgorithm().ShouldBe("1.2.840.10045.2.1");
        leaf.GetECDsaPublicKey()!.KeySize.ShouldBe(256);
        leaf.SignatureAlgorithm.Value.ShouldBe("1.2.840.10045.4.3.2"); // ecdsa-with-SHA256
        new DateTimeOffset(leaf.NotBefore.ToUniversalTime()).ShouldBe(Truncate(now - TimeSpan.FromMinutes(1)));
        new DateTimeOffset(leaf.NotAfter.ToUniversalTime()).ShouldBe(Truncate(now + TimeSpan.FromHours(72)));
        state.Certificate.Serial.ShouldBe(leaf.SerialNumber);
    }

    [Fact]
    public void Start_EmptyFolder_CreatesSelfSignedSpiffeRootWithPrivateKeyFile()
    {
        _fixture.Start();

        var bundle = _fixture.Bundle();
        bundle.Count.ShouldBe(1);
        var root = bundle[0];
        root.SubjectName.RawData.ShouldBe(root.IssuerName.RawData);
        var basic = root.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        (basic.CertificateAuthority, basic.Critical).ShouldBe((true, true));
        var usage = root.Extensions.OfType<X509KeyUsageExtension>().Single();
        (usage.KeyUsages, usage.Critical).ShouldBe((X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().ShouldHaveSingleItem();
        SubjectAlternativeNames.Uris(root).ShouldBe(["spiffe://lucid.test"]);
        root.GetKeyAlgorithm().ShouldBe("1.2.840.10045.2.1");
        (root.NotAfter - root.NotBefore).ShouldBe(TimeSpan.FromDays(3650) + TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2));
        File.GetUnixFileMode(_fixture.PathOf("ca.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllText(_fixture.PathOf("ca.key")).ShouldStartWith("-----BEGIN PRIVATE KEY-----");
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(3072)]
    [InlineData(4096)]
    public async Task IssueAsync_RsaSetting_IssuesRsaRootAndLeafWithKeyEncipherment(int keySize)
    {
        _fixture.Settings = _fixture.Settings with { KeyAlgorithm = KeyAlgorithm.Rsa, RsaKeySize = keySize };
        var manager = _fixture.Start();

        await manager.IssueAsync("auth-service", CancellationToken.None);

        var leaf = _fixture.Leaf("auth-service");
        leaf.GetRSAPublicKey()!.KeySize.ShouldBe(keySize);
        _fixture.Bundle()[0].GetRSAPublicKey()!.KeySize.ShouldBe(keySize);
        leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.ShouldBe(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment);
        _fixture.VerifyWithOpenSsl("auth-service").ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task IssueAsync_NewService_KeyIsPkcs8Owner0600AndMatchesCertificate()
    {
        var manager = _fixture.Start();

        await manager.IssueAsync("data-chain", CancellationToken.None);

        var keyPath = _fixture.PathOf("data-chain.key");
        File.GetUnixFileMode(new FileInfo(keyPath).ResolveLinkTarget(returnFinalTarget: true)!.FullName).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var pem = File.ReadAllText(keyPath);
        pem.ShouldStartWith("-----BEGIN PRIVATE KEY-----");
        using var paired = X509Certificate2.CreateFromPemFile(_fixture.PathOf("data-chain.crt"), keyPath);
        paired.HasPrivateKey.ShouldBeTrue();
        CertificateFixture.OpenSsl("pkey", "-in", keyPath, "-check", "-noout").ExitCode.ShouldBe(0);
        CertificateFixture.OpenSsl("x509", "-in", _fixture.PathOf("data-chain.crt"), "-noout", "-text").Output.ShouldContain("X509v3 Subject Key Identifier");
    }

    [Fact]
    public async Task IssueAsync_LeafAndBundle_PassOpensslVerify()
    {
        var manager = _fixture.Start();

        await manager.IssueAsync("block-manager", CancellationToken.None);

        var (exitCode, output) = _fixture.VerifyWithOpenSsl("block-manager");
        output.ShouldContain(": OK");
        exitCode.ShouldBe(0);
        // The file carries the leaf (and intermediates), never the root.
        _fixture.ReadChain("block-manager").Count.ShouldBe(1);
    }

    [Fact]
    public async Task IssueAsync_CertificateFromAnotherCa_FailsOpensslVerify()
    {
        using var other = new CertificateFixture();
        await other.Start().IssueAsync("tor-proxy", CancellationToken.None);
        _fixture.Start();

        var (exitCode, _) = _fixture.VerifyWithOpenSsl("tor-proxy", certificateFile: other.PathOf("tor-proxy.crt"));

        exitCode.ShouldNotBe(0);
    }

    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    public void Dispose() => _fixture.Dispose();
}
