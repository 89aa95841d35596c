using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Certificates;
using Xunit;

namespace ServiceMesh.Tests.Certificates;

public sealed class CertificateRenewalServiceTests : IDisposable
{
    private readonly CertificateFixture _fixture = new();

    [Fact]
    public async Task Running_ClockReachesRenewalPoint_RenewsAndPublishesWithoutARequest()
    {
        var manager = _fixture.Create();
        using var service = new CertificateRenewalService(manager, _fixture.Time, NullLogger<CertificateRenewalService>.Instance);
        await service.StartAsync(CancellationToken.None);
        var issued = await manager.IssueAsync("session-anchoring", CancellationToken.None);
        using var subscription = _fixture.Events.Subscribe();

        _fixture.Time.SetUtcNow(issued.RenewAt - TimeSpan.FromSeconds(30));
        // The loop sleeps on the fake clock; step it forward until the loop has renewed (bounded, no wall-clock assertion).
        CertificateChange? change = null;
        for (var step = 0; step < 600 && change is null; step++)
        {
            _fixture.Time.Advance(TimeSpan.FromSeconds(1));
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
            try { change = await subscription.Changes.ReadAsync(wait.Token); }
            catch (OperationCanceledException) { }
        }
        await service.StopAsync(CancellationToken.None);

        change.ShouldNotBeNull();
        (change.Kind, change.Service).ShouldBe((CertificateChangeKind.Renewed, "session-anchoring"));
        _fixture.Time.GetUtcNow().ShouldBeGreaterThanOrEqualTo(issued.RenewAt);
        _fixture.Leaf("session-anchoring").SerialNumber.ShouldBe(change.Certificate!.Serial);
    }

    [Fact]
    public async Task StartAsync_CorruptCa_ThrowsSoTheHostDoesNotStart()
    {
        File.WriteAllText(_fixture.PathOf("ca.crt"), "not a certificate");
        File.WriteAllText(_fixture.PathOf("ca.key"), "not a key");
        using var service = new CertificateRenewalService(_fixture.Create(), _fixture.Time, NullLogger<CertificateRenewalService>.Instance);

        await Should.ThrowAsync<CertificateAuthorityException>(() => service.StartAsync(CancellationToken.None));
        File.ReadAllText(_fixture.PathOf("ca.crt")).ShouldBe("not a certificate");
    }

    public void Dispose() => _fixture.Dispose();
}
