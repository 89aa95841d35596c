using ServiceMesh.Certificates;
using Xunit;

namespace ServiceMesh.Tests.Certificates;

public sealed class RenewalTests : IDisposable
{
    private readonly CertificateFixture _fixture = new();

    [Fact]
    public async Task RenewDueAsync_ClockInsideJitterWindow_RenewsOnlyAtItsScheduledPoint()
    {
        var manager = _fixture.Start();
        var issued = await manager.IssueAsync("api-gateway", CancellationToken.None);
        var lifetime = issued.Certificate.NotAfter - issued.Certificate.NotBefore;
        var renewAt = issued.RenewAt;
        renewAt.ShouldBeInRange(issued.Certificate.NotBefore + lifetime * 0.6, issued.Certificate.NotBefore + lifetime * 0.9);

        _fixture.Time.SetUtcNow(renewAt - TimeSpan.FromSeconds(1));
        await manager.RenewDueAsync(CancellationToken.None);
        manager.Find("api-gateway")!.Certificate.Serial.ShouldBe(issued.Certificate.Serial);

        _fixture.Time.SetUtcNow(renewAt);
        await manager.RenewDueAsync(CancellationToken.None);
        var renewed = manager.Find("api-gateway")!;
        renewed.Certificate.Serial.ShouldNotBe(issued.Certificate.Serial);
        _fixture.Leaf("api-gateway").SerialNumber.ShouldBe(renewed.Certificate.Serial);
        renewed.Certificate.NotAfter.ShouldBeGreaterThan(issued.Certificate.NotAfter);
    }

    [Fact]
    public void RenewAt_ManyCertificatesIssuedTogether_SpreadAcrossSixtyToNinetyPercent()
    {
        var schedule = new RenewalSchedule(new Random(42));
        var notBefore = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var notAfter = notBefore + TimeSpan.FromHours(72);

        var fractions = Enumerable.Range(0, 1000).Select(_ => (schedule.RenewAt(notBefore, notAfter) - notBefore) / (notAfter - notBefore)).ToList();

        fractions.ShouldAllBe(f => f >= 0.6 && f <= 0.9);
        fractions.Min().ShouldBeLessThan(0.62);
        fractions.Max().ShouldBeGreaterThan(0.88);
        // No second holds more than a handful of the thousand renewals.
        fractions.GroupBy(f => Math.Floor(f * 72 * 3600)).Max(g => g.Count()).ShouldBeLessThan(5);
    }

    [Fact]
    public async Task RenewDueAsync_RenewalFails_KeepsCertificateAndRetriesWithBackoff()
    {
        var files = new FaultyFileSystem(path => Path.GetFileName(path) == "svid.key") { Enabled = false };
        var manager = _fixture.Start(files);
        var issued = await manager.IssueAsync("data-chain", CancellationToken.None);
        files.Enabled = true;

        _fixture.Time.SetUtcNow(issued.RenewAt);
        await manager.RenewDueAsync(CancellationToken.None);

        var failed = manager.Find("data-chain")!;
        failed.Certificate.Serial.ShouldBe(issued.Certificate.Serial);
        failed.FailedRenewals.ShouldBe(1);
        failed.RenewAt.ShouldBe(issued.RenewAt + RenewalSchedule.RetryDelay(1));

        files.Enabled = false;
        _fixture.Time.SetUtcNow(failed.RenewAt);
        await manager.RenewDueAsync(CancellationToken.None);
        manager.Find("data-chain")!.FailedRenewals.ShouldBe(0);
        manager.Find("data-chain")!.Certificate.Serial.ShouldNotBe(issued.Certificate.Serial);
    }

    [Fact]
    public async Task IssueAsync_CertTtlSetting_UsesThatLifetime()
    {
        _fixture.Settings = _fixture.Settings with { LeafLifetime = TimeSpan.FromMinutes(30) };
        var manager = _fixture.Start();

        var issued = await manager.IssueAsync("tor-proxy", CancellationToken.None);

        (issued.Certificate.NotAfter - _fixture.Time.GetUtcNow()).ShouldBe(TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(1));
    }

    public void Dispose() => _fixture.Dispose();
}
