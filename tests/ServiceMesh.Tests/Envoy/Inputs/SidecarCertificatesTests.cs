using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Tests.Certificates;

namespace ServiceMesh.Tests.Envoy.Inputs;

/// <summary>Sidecars get their SVIDs without an API call: a member without a certificate file has one issued.</summary>
public sealed class SidecarCertificatesTests : IDisposable
{
    private readonly EnvoyTestMesh _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Generate_MembersWithoutCertificates_IssuesTheirSvidsAndTheNextGenerationVersionsThem()
    {
        using var sidecars = new SidecarCertificates(_mesh.Manager, _mesh.Time, NullLogger<SidecarCertificates>.Instance);
        var generator = NewGenerator(sidecars);

        generator.Generate()!.Specs.ShouldAllBe(s => s.Tls.CertificateVersion == FileVersions.None);
        await sidecars.IdleAsync();
        var second = generator.Generate()!;

        _mesh.Manager.Leaves.Select(l => l.Service).ShouldBe(EnvoyTestMesh.Services);
        second.Specs.ShouldAllBe(s => s.Tls.CertificateVersion != FileVersions.None);
        _mesh.Read("auth-service/sds-cert.yaml").ShouldContain(second.Specs.Single(s => s.Name == "auth-service").Tls.CertificateVersion);
    }

    [Fact]
    public async Task EnsureIssued_IssuanceFails_TriedAgainOnlyAfterTheRetryDelay()
    {
        using var certificates = new CertificateFixture();
        var disk = new FaultyFileSystem(path => path.Contains("auth-service", StringComparison.Ordinal));
        var manager = certificates.Start(disk);
        using var sidecars = new SidecarCertificates(manager, certificates.Time, NullLogger<SidecarCertificates>.Instance);

        sidecars.EnsureIssued(["auth-service"]);
        await sidecars.IdleAsync();
        disk.Enabled = false;
        sidecars.EnsureIssued(["auth-service"]); // within the delay: not tried
        await sidecars.IdleAsync();
        manager.Find("auth-service").ShouldBeNull();
        sidecars.Failing["auth-service"].ShouldContain("No space left on device");
        var health = await new EnvoyHealthComponent(new EnvoyState(), sidecars).CheckAsync(CancellationToken.None);
        health.Status.ShouldBe(ServiceMesh.Health.ComponentStatus.Degraded);
        health.Detail.ShouldContain("auth-service: No space left on device");

        certificates.Time.Advance(SidecarCertificates.RetryAfter);
        sidecars.EnsureIssued(["auth-service"]);
        await sidecars.IdleAsync();

        manager.Find("auth-service").ShouldNotBeNull();
        sidecars.Failing.ShouldBeEmpty();
    }

    [Fact]
    public async Task EnsureIssued_FailingSidecarLeftTheMesh_FailureForgotten()
    {
        using var certificates = new CertificateFixture();
        var manager = certificates.Start(new FaultyFileSystem(path => path.Contains("auth-service", StringComparison.Ordinal)));
        using var sidecars = new SidecarCertificates(manager, certificates.Time, NullLogger<SidecarCertificates>.Instance);
        sidecars.EnsureIssued(["auth-service"]);
        await sidecars.IdleAsync();

        sidecars.EnsureIssued([]);

        sidecars.Failing.ShouldBeEmpty();
    }

    [Fact]
    public async Task Generate_MemberLeavesTheMesh_CertificateRevokedFilesRemovedAndRotationDoesNotReissueIt()
    {
        using var sidecars = new SidecarCertificates(_mesh.Manager, _mesh.Time, NullLogger<SidecarCertificates>.Instance);
        var generator = NewGenerator(sidecars);
        generator.Generate();
        await sidecars.IdleAsync();
        var serial = _mesh.Manager.Find("lucid-mongodb")!.Certificate.Serial;

        _mesh.Inputs.Set(new MeshTopology([.. EnvoyTestMesh.Topology().Members.Where(m => m.Name != "lucid-mongodb")]));
        generator.Generate();
        await sidecars.IdleAsync();

        _mesh.Manager.Find("lucid-mongodb").ShouldBeNull();
        File.Exists(Path.Combine(_mesh.Certificates.Folder, "lucid-mongodb.crt")).ShouldBeFalse();
        Directory.Exists(Path.Combine(_mesh.Certificates.Folder, ".svid", "lucid-mongodb")).ShouldBeFalse();
        File.ReadAllText(Path.Combine(_mesh.Certificates.Folder, "ca.revoked.json")).ShouldContain(serial);
        var rotation = await _mesh.Manager.RotateRootAsync(CancellationToken.None);
        rotation.Reissued.ShouldBe(2);
        _mesh.Manager.Leaves.Select(l => l.Service).ShouldBe(["api-gateway", "auth-service"]);
    }

    [Fact]
    public async Task Generate_FirstGenerationAfterStart_RevokesNobodyItHasNotSeenLeave()
    {
        using var sidecars = new SidecarCertificates(_mesh.Manager, _mesh.Time, NullLogger<SidecarCertificates>.Instance);
        await _mesh.Manager.IssueAsync("lucid-mongodb", CancellationToken.None); // e.g. issued through POST /certificates
        _mesh.Inputs.Set(new MeshTopology([.. EnvoyTestMesh.Topology().Members.Where(m => m.Name != "lucid-mongodb")]));

        NewGenerator(sidecars).Generate();
        await sidecars.IdleAsync();

        _mesh.Manager.Find("lucid-mongodb").ShouldNotBeNull();
    }

    private EnvoyGenerator NewGenerator(SidecarCertificates sidecars) =>
        new(_mesh.Settings, _mesh.Planner, _mesh.Policies, [_mesh.Inputs], _mesh.State, NullLogger<EnvoyGenerator>.Instance, _mesh.Time, sidecars);
}
