using System.Security.Cryptography;
using ServiceMesh.Certificates;
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
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Start_ModesLeftByAnEarlierVersion_CaFilesAndSvidFoldersSetToTheRule()
    {
        var first = _fixture.Start();
        await first.IssueAsync("session-anchoring", CancellationToken.None);
        first.Dispose();
        // As a version that followed the umask left them: ca.crt 0600 under umask 077, .svid folders 0777 under umask 000.
        File.SetUnixFileMode(_fixture.PathOf("ca.crt"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(_fixture.PathOf("ca.key"), (UnixFileMode)0b110_110_110);
        var svid = _fixture.PathOf(".svid");
        var service = Path.Combine(svid, "session-anchoring");
        File.SetUnixFileMode(svid, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(service, (UnixFileMode)0b111_111_111);

        var second = _fixture.Start();
        await second.IssueAsync("session-anchoring", CancellationToken.None); // a renewal writes a new generation

        File.GetUnixFileMode(_fixture.PathOf("ca.crt")).ShouldBe((UnixFileMode)0b110_100_100);
        File.GetUnixFileMode(_fixture.PathOf("ca.key")).ShouldBe((UnixFileMode)0b110_000_000);
        File.GetUnixFileMode(svid).ShouldBe((UnixFileMode)0b111_101_101);
        File.GetUnixFileMode(service).ShouldBe((UnixFileMode)0b111_101_101);
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
        {
            File.WriteAllText(keyFile, foreign.ExportPkcs8PrivateKeyPem());
        }

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
