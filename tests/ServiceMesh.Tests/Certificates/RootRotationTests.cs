using System.Security.Cryptography.X509Certificates;
using ServiceMesh.Certificates;
using Xunit;

namespace ServiceMesh.Tests.Certificates;

public sealed class RootRotationTests : IDisposable
{
    private readonly CertificateFixture _fixture = new(s => s with { RootRotationGrace = TimeSpan.FromHours(1) });

    [Fact]
    public async Task RotateRootAsync_DuringOverlap_OldAndNewLeavesBothValidateAgainstBundle()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("api-gateway", CancellationToken.None);
        var oldLeafFile = _fixture.PathOf("old-api-gateway.pem");
        File.Copy(_fixture.PathOf("api-gateway.crt"), oldLeafFile);
        var oldRootFile = _fixture.PathOf("old-root.pem");
        File.Copy(_fixture.PathOf("ca.crt"), oldRootFile);

        var result = await manager.RotateRootAsync(CancellationToken.None);

        result.Reissued.ShouldBe(1);
        var bundle = _fixture.Bundle();
        bundle.Count.ShouldBe(2);
        bundle[0].SerialNumber.ShouldBe(result.RootSerial);
        bundle[1].SerialNumber.ShouldBe(result.PreviousRootSerial);
        _fixture.VerifyWithOpenSsl("api-gateway", certificateFile: oldLeafFile).ExitCode.ShouldBe(0);
        _fixture.VerifyWithOpenSsl("api-gateway").ExitCode.ShouldBe(0);
        // A peer that still has only the old root accepts the new leaf through the cross-signed certificate in its file.
        var chain = _fixture.ReadChain("api-gateway");
        chain.Count.ShouldBe(2);
        chain[1].Issuer.ShouldBe(bundle[1].Subject);
        _fixture.VerifyWithOpenSsl("api-gateway", bundleFile: oldRootFile).ExitCode.ShouldBe(0);
        X509Certificate2.CreateFromPemFile(_fixture.PathOf("api-gateway.crt"), _fixture.PathOf("api-gateway.key")).HasPrivateKey.ShouldBeTrue();
    }

    [Fact]
    public async Task RenewDueAsync_AfterAllReissuedAndGracePassed_RemovesOldRootFromBundle()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("auth-service", CancellationToken.None);
        using var subscription = _fixture.Events.Subscribe();

        var result = await manager.RotateRootAsync(CancellationToken.None);

        result.RetireAfter.ShouldBe(_fixture.Time.GetUtcNow() + TimeSpan.FromHours(1));
        await Should.ThrowAsync<InvalidOperationException>(() => manager.RotateRootAsync(CancellationToken.None));
        _fixture.Time.Advance(TimeSpan.FromMinutes(59));
        await manager.RenewDueAsync(CancellationToken.None);
        _fixture.Bundle().Count.ShouldBe(2);

        _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await manager.RenewDueAsync(CancellationToken.None);

        var bundle = _fixture.Bundle();
        bundle.ShouldHaveSingleItem().SerialNumber.ShouldBe(result.RootSerial);
        _fixture.VerifyWithOpenSsl("auth-service").ExitCode.ShouldBe(0);
        File.Exists(_fixture.PathOf("ca.cross.crt")).ShouldBeFalse();
        var kinds = new List<CertificateChangeKind>();
        while (subscription.Changes.TryRead(out var change))
        {
            kinds.Add(change.Kind);
        }

        kinds.ShouldBe([
            CertificateChangeKind.RevocationListChanged, CertificateChangeKind.TrustBundleChanged, CertificateChangeKind.Renewed,
            CertificateChangeKind.RevocationListChanged, CertificateChangeKind.TrustBundleChanged,
        ]);
        File.Exists(_fixture.PathOf("ca.retiring.crl")).ShouldBeFalse("the retired root's CRL leaves with it");
    }

    [Fact]
    public async Task RotateRootAsync_ThenRestart_LoadsNewRootAndKeepsOverlapUntilRetired()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("block-manager", CancellationToken.None);
        var result = await manager.RotateRootAsync(CancellationToken.None);
        manager.Dispose();

        var restarted = _fixture.Start();

        restarted.Trust.Active.Root.SerialNumber.ShouldBe(result.RootSerial);
        restarted.Trust.RetiringRoots.ShouldHaveSingleItem().SerialNumber.ShouldBe(result.PreviousRootSerial);
        restarted.Trust.RetireAfter.ShouldBe(result.RetireAfter);
        restarted.Trust.CrossSigned.ShouldNotBeNull();
        restarted.Find("block-manager")!.Certificate.IssuerKeyId.ShouldBe(restarted.Trust.Active.KeyId);
    }

    [Fact]
    public async Task RotateRootAsync_WithSidecarWriter_ReissuesOnlyAfterTrustWasDistributedAndThePropagationDelay()
    {
        using var fixture = new CertificateFixture(s => s with { TrustPropagationDelay = TimeSpan.FromSeconds(2) });
        var manager = fixture.Start();
        await manager.IssueAsync("api-gateway", CancellationToken.None);
        await manager.IssueAsync("auth-service", CancellationToken.None);
        var oldRoot = manager.Trust.Active.KeyId;
        var distributed = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.DistributeTrustWith(_ =>
        {
            // What the sidecar writer would put in the files now: the new bundle and CRL, and the leaves as they are.
            distributed.TrySetResult([.. manager.Leaves.Select(l => l.Certificate.IssuerKeyId)]);
            return Task.FromResult(true);
        });

        var rotation = manager.RotateRootAsync(CancellationToken.None);
        var issuersWhenDistributed = await distributed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        manager.Trust.Active.KeyId.ShouldNotBe(oldRoot, "the new root is in force (bundle and CRL on disk) when the writer is called");
        File.ReadAllText(fixture.PathOf("ca.crl")).Split("BEGIN X509 CRL").Length.ShouldBe(3, "the new root's CRL and the old root's final one");
        issuersWhenDistributed.ShouldAllBe(issuer => issuer == oldRoot);
        await Task.Delay(200);
        rotation.IsCompleted.ShouldBeFalse("the re-issues wait for the propagation delay");
        manager.Leaves.ShouldAllBe(l => l.Certificate.IssuerKeyId == oldRoot);

        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        (await rotation.WaitAsync(TimeSpan.FromSeconds(30))).Reissued.ShouldBe(2);
        manager.Leaves.ShouldAllBe(l => l.Certificate.IssuerKeyId == manager.Trust.Active.KeyId);
    }

    public void Dispose() => _fixture.Dispose();
}
