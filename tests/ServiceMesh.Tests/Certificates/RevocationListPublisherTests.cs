using System.Globalization;
using ServiceMesh.Certificates;
using ServiceMesh.Health;
using Xunit;

namespace ServiceMesh.Tests.Certificates;

/// <summary>ca.crl as a CRL-checking verifier sees it: openssl verify -crl_check checks the leaf only, as Envoy is told to.</summary>
public sealed class RevocationListPublisherTests : IDisposable
{
    private readonly CertificateFixture _fixture = new(s => s with { RootRotationGrace = TimeSpan.FromHours(1) });

    [Fact]
    public void Start_NewCa_PublishesAListTheRootSignedValidForTwiceTheLeafLifetime()
    {
        var manager = _fixture.Start();

        var (exitCode, output) = CertificateFixture.OpenSsl("crl", "-in", _fixture.PathOf("ca.crl"), "-CAfile", _fixture.PathOf("ca.crt"), "-noout", "-nextupdate");
        exitCode.ShouldBe(0, output);
        output.ShouldContain("verify OK");
        NextUpdate(output).ShouldBe(_fixture.Time.GetUtcNow() + TimeSpan.FromHours(144), TimeSpan.FromSeconds(1));
        RevocationListFile.ParsePem(File.ReadAllText(_fixture.PathOf("ca.crl"))).Count.ShouldBe(1);
        var status = manager.RevocationList;
        status.Pem.ShouldBe(File.ReadAllText(_fixture.PathOf("ca.crl")), "the sidecars get what the file holds");
        (status.Revoked, status.NextUpdate, status.RefreshAt, status.Problem)
            .ShouldBe((0, _fixture.Time.GetUtcNow() + TimeSpan.FromHours(144), _fixture.Time.GetUtcNow() + TimeSpan.FromHours(72), null));
    }

    [Fact]
    public async Task RevokeAsync_ManyAtOnce_TheListInForceHoldsEveryOne()
    {
        var manager = _fixture.Start();
        var services = Enumerable.Range(0, 16).Select(i => $"svc-{i}").ToList();
        foreach (var service in services)
        {
            await manager.IssueAsync(service, CancellationToken.None);
        }

        // Each revocation holds only its own service's lock: the list must still end up with all of them.
        await Task.WhenAll(services.Select(service => Task.Run(() => manager.RevokeAsync(service, CancellationToken.None))));

        var (exitCode, text) = CertificateFixture.OpenSsl("crl", "-in", _fixture.PathOf("ca.crl"), "-noout", "-text");
        exitCode.ShouldBe(0, text);
        text.Split("Serial Number:").Length.ShouldBe(17);
        manager.RevocationList.Revoked.ShouldBe(16);
        manager.RevocationList.Pem.ShouldBe(File.ReadAllText(_fixture.PathOf("ca.crl")));
    }

    [Fact]
    public async Task RevokeAsync_IssuedLeaf_RefusedByACrlCheckingVerifierWhileOthersPass()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("api-gateway", CancellationToken.None);
        await manager.IssueAsync("auth-service", CancellationToken.None);
        var revokedLeaf = Keep("api-gateway");
        _fixture.VerifyWithOpenSsl("api-gateway", revokedLeaf, checkRevocation: true).ExitCode.ShouldBe(0, "not listed before it is revoked");
        using var subscription = _fixture.Events.Subscribe();

        await manager.RevokeAsync("api-gateway", CancellationToken.None);

        var refused = _fixture.VerifyWithOpenSsl("api-gateway", revokedLeaf, checkRevocation: true);
        refused.ExitCode.ShouldNotBe(0);
        refused.Output.ShouldContain("certificate revoked");
        _fixture.VerifyWithOpenSsl("auth-service", checkRevocation: true).ExitCode.ShouldBe(0);
        manager.RevocationList.Revoked.ShouldBe(1);
        Kinds(subscription).ShouldBe([CertificateChangeKind.RevocationListChanged, CertificateChangeKind.Revoked]);
    }

    [Fact]
    public async Task RotateRootAsync_DuringOverlapAndAfterRestart_LeavesOfBothRootsAreCheckedAgainstTheirIssuersList()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("api-gateway", CancellationToken.None);
        await manager.IssueAsync("auth-service", CancellationToken.None);
        var oldLeaf = Keep("api-gateway");
        var oldRevokedLeaf = Keep("auth-service");
        await manager.RevokeAsync("auth-service", CancellationToken.None);

        await manager.RotateRootAsync(CancellationToken.None);

        RevocationListFile.ParsePem(File.ReadAllText(_fixture.PathOf("ca.crl"))).Count.ShouldBe(2, "the new root's list and the old root's final one");
        _fixture.VerifyWithOpenSsl("api-gateway", oldLeaf, checkRevocation: true).ExitCode.ShouldBe(0, "an old-root leaf needs its issuer's list to pass");
        _fixture.VerifyWithOpenSsl("api-gateway", checkRevocation: true).ExitCode.ShouldBe(0);
        _fixture.VerifyWithOpenSsl("auth-service", oldRevokedLeaf, checkRevocation: true).Output.ShouldContain("certificate revoked");

        var restarted = _fixture.Start();

        restarted.RevocationList.Enforced.ShouldBeTrue();
        RevocationListFile.ParsePem(File.ReadAllText(_fixture.PathOf("ca.crl"))).Count.ShouldBe(2, "the old key is gone, but its final list was kept");
        _fixture.VerifyWithOpenSsl("api-gateway", oldLeaf, checkRevocation: true).ExitCode.ShouldBe(0);
        _fixture.VerifyWithOpenSsl("auth-service", oldRevokedLeaf, checkRevocation: true).Output.ShouldContain("certificate revoked");
    }

    [Fact]
    public async Task Start_RotationWithoutTheOldRootsList_RemovesCaCrlUntilThatRootIsRetired()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("api-gateway", CancellationToken.None);
        await manager.RotateRootAsync(CancellationToken.None);
        File.Delete(_fixture.PathOf("ca.retiring.crl")); // a rotation begun by a version that published no CRLs

        var restarted = _fixture.Start();

        File.Exists(_fixture.PathOf("ca.crl")).ShouldBeFalse("a CRL file without a list for every root would refuse the old root's leaves");
        restarted.RevocationList.Enforced.ShouldBeFalse();
        (await new CertificateHealthComponent(restarted, _fixture.Time).CheckAsync(CancellationToken.None)).Detail.ShouldContain("not enforced by the sidecars until the previous root is retired");

        _fixture.Time.Advance(TimeSpan.FromHours(1));
        await restarted.RenewDueAsync(CancellationToken.None);

        restarted.Trust.RotationInProgress.ShouldBeFalse();
        restarted.RevocationList.Enforced.ShouldBeTrue();
        _fixture.VerifyWithOpenSsl("api-gateway", checkRevocation: true).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task RevokeAsync_TwiceAtTheSameInstant_CrlNumberStillGrows()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("api-gateway", CancellationToken.None);
        await manager.IssueAsync("auth-service", CancellationToken.None);
        var first = CrlNumber();

        await manager.RevokeAsync("api-gateway", CancellationToken.None);
        var second = CrlNumber();
        await manager.RevokeAsync("auth-service", CancellationToken.None);

        second.ShouldBeGreaterThan(first);
        CrlNumber().ShouldBeGreaterThan(second, "the fake clock did not move, the number must anyway");
    }

    [Fact]
    public async Task RenewDueAsync_HalfTheValidityPassed_SignsItAgain()
    {
        var manager = _fixture.Start();
        var first = File.ReadAllBytes(_fixture.PathOf("ca.crl"));
        var refreshAt = manager.RevocationList.RefreshAt!.Value;
        manager.NextDueAt.ShouldBe(refreshAt, "the renewal loop wakes for it");
        using var subscription = _fixture.Events.Subscribe();

        _fixture.Time.SetUtcNow(refreshAt - TimeSpan.FromSeconds(1));
        await manager.RenewDueAsync(CancellationToken.None);
        File.ReadAllBytes(_fixture.PathOf("ca.crl")).ShouldBe(first);

        _fixture.Time.SetUtcNow(refreshAt);
        await manager.RenewDueAsync(CancellationToken.None);

        File.ReadAllBytes(_fixture.PathOf("ca.crl")).ShouldNotBe(first);
        manager.RevocationList.NextUpdate.ShouldBe(refreshAt + TimeSpan.FromHours(144));
        Kinds(subscription).ShouldBe([CertificateChangeKind.RevocationListChanged]);
    }

    [Fact]
    public async Task RotateRootAsync_CaCrlCannotBeWritten_SidecarsStillGetAListForBothRootsAndHealthSaysTheFileIsStale()
    {
        var files = new FaultyFileSystem(path => Path.GetFileName(path) == "ca.crl") { Enabled = false };
        var manager = _fixture.Start(files);
        await manager.IssueAsync("api-gateway", CancellationToken.None);
        files.Enabled = true;

        await manager.RotateRootAsync(CancellationToken.None);

        var status = manager.RevocationList;
        RevocationListFile.ParsePem(status.Pem!).Count.ShouldBe(2, "what the sidecars get covers the new root, whatever the disk did");
        RevocationListFile.ParsePem(File.ReadAllText(_fixture.PathOf("ca.crl"))).Count.ShouldBe(1, "the file is the stale one");
        var degraded = await new CertificateHealthComponent(manager, _fixture.Time).CheckAsync(CancellationToken.None);
        degraded.Status.ShouldBe(ComponentStatus.Degraded);
        degraded.Detail.ShouldContain("ca.crl could not be written: No space left on device");
        status.RefreshAt.ShouldBe(_fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(30));

        files.Enabled = false;
        _fixture.Time.Advance(TimeSpan.FromSeconds(30));
        using var subscription = _fixture.Events.Subscribe();
        await manager.RenewDueAsync(CancellationToken.None);

        manager.RevocationList.Problem.ShouldBeNull();
        manager.RevocationList.Pem.ShouldBe(status.Pem, "only the file was retried: the sidecars' list is not signed again");
        manager.RevocationList.RefreshAt.ShouldBe(status.NextUpdate - TimeSpan.FromHours(72));
        Kinds(subscription).ShouldBeEmpty();
        File.ReadAllText(_fixture.PathOf("ca.crl")).ShouldBe(status.Pem);
        (await new CertificateHealthComponent(manager, _fixture.Time).CheckAsync(CancellationToken.None)).Status.ShouldBe(ComponentStatus.Healthy);
    }

    [Fact]
    public async Task Check_ListNotSignedAgainBeforeItExpires_Unhealthy()
    {
        var manager = _fixture.Start();

        _fixture.Time.SetUtcNow(manager.RevocationList.NextUpdate!.Value); // a renewal loop that never ran

        var health = await new CertificateHealthComponent(manager, _fixture.Time).CheckAsync(CancellationToken.None);
        health.Status.ShouldBe(ComponentStatus.Unhealthy);
        health.Detail.ShouldContain("the revocation list expired at");
    }

    [Fact]
    public async Task RevokeAsync_LeafStillFromTheRetiringRoot_SaysTheSidecarsAcceptItUntilRetirement()
    {
        var files = new FaultyFileSystem(path => path.Contains("auth-service", StringComparison.Ordinal)) { Enabled = false };
        var manager = _fixture.Start(files);
        await manager.IssueAsync("auth-service", CancellationToken.None);
        files.Enabled = true;
        await manager.RotateRootAsync(CancellationToken.None); // its re-issue fails: the leaf stays the old root's
        files.Enabled = false;

        var revocation = await manager.RevokeAsync("auth-service", CancellationToken.None);

        revocation!.Enforcement.ShouldBe("issued by the previous root, whose final list cannot grow: the sidecars accept it until that root is retired");
    }

    [Fact]
    public async Task Start_RetiringListSignedByAnotherCa_IgnoredSoNothingIsEnforcedRatherThanPeersRefused()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("api-gateway", CancellationToken.None);
        await manager.RotateRootAsync(CancellationToken.None);
        using var foreign = new CertificateFixture();
        foreign.Start();
        File.Copy(foreign.PathOf("ca.crl"), _fixture.PathOf("ca.retiring.crl"), overwrite: true);

        var restarted = _fixture.Start();

        restarted.RevocationList.Enforced.ShouldBeFalse();
        File.Exists(_fixture.PathOf("ca.crl")).ShouldBeFalse();
    }

    [Fact]
    public void IsSignedBy_OwnForeignAndDamagedLists_OnlyTheOwnOne()
    {
        _fixture.Start();
        using var foreign = new CertificateFixture();
        foreign.Start();
        var own = RevocationListFile.ParsePem(File.ReadAllText(_fixture.PathOf("ca.crl"))).Single();
        var root = _fixture.Bundle()[0];
        var damaged = (byte[])own.Clone();
        damaged[^5] ^= 0x01;

        RevocationListFile.IsSignedBy(own, root).ShouldBeTrue();
        RevocationListFile.IsSignedBy(RevocationListFile.ParsePem(File.ReadAllText(foreign.PathOf("ca.crl"))).Single(), root).ShouldBeFalse();
        RevocationListFile.IsSignedBy(damaged, root).ShouldBeFalse();
        RevocationListFile.IsSignedBy([0x30, 0x03, 0x02, 0x01], root).ShouldBeFalse();
    }

    public void Dispose() => _fixture.Dispose();

    private string Keep(string service)
    {
        var copy = _fixture.PathOf($"kept-{service}-{Guid.NewGuid():N}.pem.tmp");
        File.Copy(_fixture.PathOf(service + ".crt"), copy);
        return copy;
    }

    private static List<CertificateChangeKind> Kinds(CertificateSubscription subscription)
    {
        var kinds = new List<CertificateChangeKind>();
        while (subscription.Changes.TryRead(out var change))
        {
            kinds.Add(change.Kind);
        }

        return kinds;
    }

    // "crlNumber=0x19AC0D5E0F1"
    private System.Numerics.BigInteger CrlNumber()
    {
        var (exitCode, output) = CertificateFixture.OpenSsl("crl", "-in", _fixture.PathOf("ca.crl"), "-noout", "-crlnumber");
        exitCode.ShouldBe(0, output);
        var hex = output.Trim()["crlNumber=0x".Length..];
        return System.Numerics.BigInteger.Parse("0" + hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    // "nextUpdate=Dec  4 21:10:00 2026 GMT"
    private static DateTimeOffset NextUpdate(string opensslOutput)
    {
        var line = opensslOutput.Split('\n').Single(l => l.StartsWith("nextUpdate=", StringComparison.Ordinal))["nextUpdate=".Length..].Trim();
        var text = string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return DateTimeOffset.ParseExact(text, "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }
}
