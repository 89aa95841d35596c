using System.Security.Cryptography;
using ServiceMesh.Certificates;
using Shouldly;
using Xunit;

namespace ServiceMesh.Tests.Certificates;

public sealed class CaPersistenceTests : IDisposable
{
    private readonly CertificateFixture _fixture = new();

    [Fact]
    public async Task Start_AfterRestart_KeepsSameCaAndLeaves()
    {
        var first = _fixture.Start();
        var issued = await first.IssueAsync("session-anchoring", CancellationToken.None);
        var caBefore = File.ReadAllBytes(_fixture.PathOf("ca.crt"));
        var keyBefore = File.ReadAllBytes(_fixture.PathOf("ca.key"));
        first.Dispose();

        _fixture.Time.Advance(TimeSpan.FromHours(1));
        var second = _fixture.Start();

        File.ReadAllBytes(_fixture.PathOf("ca.crt")).ShouldBe(caBefore);
        File.ReadAllBytes(_fixture.PathOf("ca.key")).ShouldBe(keyBefore);
        second.Find("session-anchoring")!.Certificate.Serial.ShouldBe(issued.Certificate.Serial);
        _fixture.Leaf("session-anchoring").SerialNumber.ShouldBe(issued.Certificate.Serial);
    }

    [Fact]
    public void Start_KeyOfAnotherCa_FailsNamingFileAndLeavesBothUntouched()
    {
        using var other = new CertificateFixture();
        other.Start();
        _fixture.Start().Dispose();
        File.Copy(other.PathOf("ca.key"), _fixture.PathOf("ca.key"), overwrite: true);
        var certificate = File.ReadAllBytes(_fixture.PathOf("ca.crt"));
        var key = File.ReadAllBytes(_fixture.PathOf("ca.key"));

        var error = Should.Throw<CertificateAuthorityException>(() => _fixture.Start());

        error.Message.ShouldContain("ca.key does not match");
        error.Message.ShouldContain(_fixture.Folder);
        File.ReadAllBytes(_fixture.PathOf("ca.crt")).ShouldBe(certificate);
        File.ReadAllBytes(_fixture.PathOf("ca.key")).ShouldBe(key);
    }

    [Theory]
    [InlineData("ca.crt", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", "ca.crt")]
    [InlineData("ca.crt", "", "contains no certificate")]
    [InlineData("ca.key", "garbage", "not a readable PKCS#8 PEM private key")]
    public void Start_CorruptCaFile_FailsWithClearErrorAndNeverOverwrites(string file, string content, string expected)
    {
        _fixture.Start().Dispose();
        File.WriteAllText(_fixture.PathOf(file), content);
        var other = file == "ca.crt" ? "ca.key" : "ca.crt";
        var otherBytes = File.ReadAllBytes(_fixture.PathOf(other));

        var error = Should.Throw<CertificateAuthorityException>(() => _fixture.Start());

        error.Message.ShouldContain(expected);
        File.ReadAllText(_fixture.PathOf(file)).ShouldBe(content);
        File.ReadAllBytes(_fixture.PathOf(other)).ShouldBe(otherBytes);
    }

    [Theory]
    [InlineData("ca.key")]
    [InlineData("ca.crt")]
    public void Start_OneCaFileMissing_FailsAndDoesNotCreateANewCa(string missing)
    {
        _fixture.Start().Dispose();
        File.Delete(_fixture.PathOf(missing));

        var error = Should.Throw<CertificateAuthorityException>(() => _fixture.Start());

        error.Message.ShouldContain($"{missing} does not");
        File.Exists(_fixture.PathOf(missing)).ShouldBeFalse();
    }

    [Fact]
    public async Task Start_LeafWithForeignKeyOnDisk_ReissuesIt()
    {
        var first = _fixture.Start();
        var issued = await first.IssueAsync("lucid-redis", CancellationToken.None);
        first.Dispose();
        var keyFile = new FileInfo(_fixture.PathOf("lucid-redis.key")).ResolveLinkTarget(returnFinalTarget: true)!.FullName;
        using (var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            File.WriteAllText(keyFile, foreign.ExportPkcs8PrivateKeyPem());

        var second = _fixture.Start();

        second.Find("lucid-redis")!.Certificate.Serial.ShouldNotBe(issued.Certificate.Serial);
        using var pair = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(_fixture.PathOf("lucid-redis.crt"), _fixture.PathOf("lucid-redis.key"));
        pair.HasPrivateKey.ShouldBeTrue();
    }

    [Fact]
    public async Task RevokeAsync_IssuedService_RemovesFilesAndRecordsSerialAcrossRestart()
    {
        var manager = _fixture.Start();
        var issued = await manager.IssueAsync("tor-proxy", CancellationToken.None);

        var revoked = await manager.RevokeAsync("tor-proxy", CancellationToken.None);

        revoked!.Certificate.Serial.ShouldBe(issued.Certificate.Serial);
        File.Exists(_fixture.PathOf("tor-proxy.crt")).ShouldBeFalse();
        File.Exists(_fixture.PathOf("tor-proxy.key")).ShouldBeFalse();
        File.ReadAllText(_fixture.PathOf("ca.revoked.json")).ShouldContain(issued.Certificate.Serial);
        manager.Dispose();
        _fixture.Start().Find("tor-proxy").ShouldBeNull();
        (await _fixture.Start().RevokeAsync("never-issued", CancellationToken.None)).ShouldBeNull();
    }

    public void Dispose() => _fixture.Dispose();
}
