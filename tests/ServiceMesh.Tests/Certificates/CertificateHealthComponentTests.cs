using ServiceMesh.Certificates;
using ServiceMesh.Health;
using Xunit;

namespace ServiceMesh.Tests.Certificates;

public sealed class CertificateHealthComponentTests : IDisposable
{
    private readonly CertificateFixture _fixture = new();

    [Fact]
    public async Task Check_CaLoadedAndLeavesValid_HealthyNamingEarliestExpiry()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("api-gateway", CancellationToken.None);

        var health = await new CertificateHealthComponent(manager, _fixture.Time).CheckAsync(CancellationToken.None);

        health.Status.ShouldBe(ComponentStatus.Healthy);
        health.Detail.ShouldContain("1 service certificate(s), earliest expiry api-gateway");
    }

    [Fact]
    public async Task Check_RenewalKeepsFailingInLastTenthOfLifetime_DegradedThenUnhealthyWhenExpired()
    {
        var files = new FaultyFileSystem(path => Path.GetFileName(path) == "svid.key") { Enabled = false };
        var manager = _fixture.Start(files);
        var issued = await manager.IssueAsync("auth-service", CancellationToken.None);
        var component = new CertificateHealthComponent(manager, _fixture.Time);
        files.Enabled = true;

        _fixture.Time.SetUtcNow(issued.RenewAt);
        await manager.RenewDueAsync(CancellationToken.None);
        (await component.CheckAsync(CancellationToken.None)).Status.ShouldBe(ComponentStatus.Healthy, "one failure early in the window is not yet a problem");

        _fixture.Time.SetUtcNow(issued.Certificate.NotAfter - issued.Certificate.Lifetime * 0.05);
        await manager.RenewDueAsync(CancellationToken.None);
        var degraded = await component.CheckAsync(CancellationToken.None);
        degraded.Status.ShouldBe(ComponentStatus.Degraded);
        degraded.Detail.ShouldContain("auth-service");
        degraded.Detail.ShouldContain("No space left on device");

        _fixture.Time.SetUtcNow(issued.Certificate.NotAfter);
        var expired = await component.CheckAsync(CancellationToken.None);
        expired.Status.ShouldBe(ComponentStatus.Unhealthy);
        expired.Detail.ShouldContain("expired: auth-service");
    }

    [Fact]
    public async Task Check_Repeated_CaKeyProvenOncePerCaAndAgainAfterRotation()
    {
        var manager = _fixture.Start();
        var component = new CertificateHealthComponent(manager, _fixture.Time);

        for (var i = 0; i < 3; i++)
        {
            component.Current.Status.ShouldBe(ComponentStatus.Healthy);
        }

        component.SigningProofs.ShouldBe(1, "the same CA key is proven once, not at every /health");

        await manager.RotateRootAsync(CancellationToken.None);
        var rotated = component.Current;

        rotated.Status.ShouldBe(ComponentStatus.Healthy);
        rotated.Detail.ShouldContain($"CA serial {manager.Trust.Active.Root.SerialNumber}");
        rotated.Detail.ShouldContain("root rotation in progress");
        component.SigningProofs.ShouldBe(2, "the new CA's key is proven on the next read");
    }

    [Fact]
    public async Task Check_CaRootExpired_Unhealthy()
    {
        _fixture.Settings = _fixture.Settings with { CaValidity = TimeSpan.FromDays(2) };
        var manager = _fixture.Start();

        _fixture.Time.Advance(TimeSpan.FromDays(3));
        var health = await new CertificateHealthComponent(manager, _fixture.Time).CheckAsync(CancellationToken.None);

        health.Status.ShouldBe(ComponentStatus.Unhealthy);
        health.Detail.ShouldContain("POST /certificates/ca/rotate");
    }

    public void Dispose() => _fixture.Dispose();
}
