using ServiceMesh.Configuration;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Planning;

namespace ServiceMesh.Tests.Envoy;

/// <summary>How the files follow changes: only what changed is rewritten, always by an atomic rename.</summary>
public sealed class EnvoyUpdateTests : IDisposable
{
    private readonly EnvoyTestMesh _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Generate_MembershipChange_RewritesOnlyTheCdsOfServicesCallingTheChangedService()
    {
        await _mesh.IssueAllAsync();
        _mesh.Generator.Generate();
        _mesh.AgeAllFiles();

        _mesh.Inputs.Set(EnvoyTestMesh.Topology("10.0.0.13", "10.0.0.14")); // a second lucid-mongodb instance passes its checks
        var result = _mesh.Generator.Generate()!.Result;

        _mesh.FilesRewrittenSinceAged().ShouldBe(["api-gateway/cds.yaml", "auth-service/cds.yaml"]);
        result.FilesWritten.ShouldBe(2);
        _mesh.Read("api-gateway/cds.yaml").ShouldContain("10.0.0.14");
    }

    [Fact]
    public async Task Generate_NothingChanged_RewritesNothing()
    {
        await _mesh.IssueAllAsync();
        _mesh.Generator.Generate();
        _mesh.AgeAllFiles();

        _mesh.Generator.Generate()!.Result.FilesWritten.ShouldBe(0);

        _mesh.FilesRewrittenSinceAged().ShouldBeEmpty();
    }

    [Fact]
    public async Task Generate_VerifyDiskAfterFilesRemovedAndEditedByHand_RestoresExactlyThoseFiles()
    {
        await _mesh.IssueAllAsync();
        _mesh.Generator.Generate();
        var lds = _mesh.Read("auth-service/lds.yaml");
        File.Delete(_mesh.PathOf("auth-service/lds.yaml"));
        File.WriteAllText(_mesh.PathOf("api-gateway.yaml"), "edited: by hand\n");
        _mesh.AgeAllFiles();

        var result = _mesh.Generator.Generate(verifyDisk: true)!.Result;

        result.FilesWritten.ShouldBe(2);
        _mesh.Read("auth-service/lds.yaml").ShouldBe(lds);
        _mesh.Read("api-gateway.yaml").ShouldContain("api-gateway-sidecar-proxy");
        _mesh.FilesRewrittenSinceAged().ShouldBe(["api-gateway.yaml", "auth-service/lds.yaml"]);
    }

    [Fact]
    public async Task Generate_CertificateRotation_ChangesThatServicesSdsAndLeavesBootstrapUntouched()
    {
        await _mesh.IssueAllAsync();
        _mesh.Generator.Generate();
        var before = _mesh.Read("auth-service/sds-cert.yaml");
        _mesh.AgeAllFiles();

        await _mesh.IssueAsync("auth-service"); // rotation: a new certificate and key for the same identity
        _mesh.Generator.Generate();

        _mesh.Read("auth-service/sds-cert.yaml").ShouldNotBe(before);
        _mesh.FilesRewrittenSinceAged().ShouldBe(["auth-service/sds-cert.yaml"]);
    }

    [Fact]
    public async Task Generate_Revocation_RewritesEverySidecarsTrustBundleSecretOnly()
    {
        await _mesh.IssueAllAsync();
        await _mesh.IssueAsync("outsider"); // a certificate outside the mesh, so revoking it changes no sidecar's own pair
        _mesh.Generator.Generate();
        var before = _mesh.Read("api-gateway/sds-ca.yaml");
        _mesh.AgeAllFiles();

        await _mesh.Manager.RevokeAsync("outsider", CancellationToken.None);
        _mesh.Generator.Generate();

        _mesh.Read("api-gateway/sds-ca.yaml").ShouldNotBe(before);
        _mesh.Yaml("api-gateway/sds-ca.yaml").Resources().Single().Text("validation_context", "crl", "inline_string")
            .ShouldBe(_mesh.Manager.RevocationList.Pem, "the Secret itself carries the new list");
        var rewritten = _mesh.FilesRewrittenSinceAged();
        rewritten.Count.ShouldBe(3);
        rewritten.ShouldAllBe(file => file.EndsWith("/sds-ca.yaml"));
    }

    [Fact]
    public async Task Generate_ServiceRemoved_DeletesItsBootstrapAndFolderAndKeepsOthers()
    {
        await _mesh.IssueAllAsync();
        _mesh.Generator.Generate();
        var topology = EnvoyTestMesh.Topology();

        _mesh.Inputs.Set(new MeshTopology([.. topology.Members.Where(m => m.Name != "auth-service")]));
        _mesh.Generator.Generate()!.Result.FilesDeleted.ShouldBe(5);

        File.Exists(_mesh.PathOf("auth-service.yaml")).ShouldBeFalse();
        Directory.Exists(_mesh.PathOf("auth-service")).ShouldBeFalse();
        _mesh.Files().ShouldContain("api-gateway/cds.yaml");
        // api-gateway's auth-service cluster stays (its declared upstream) but has no endpoints left
        _mesh.Read("api-gateway/cds.yaml").ShouldNotContain("10.0.0.11");
    }

    [Fact]
    public async Task Generate_AnInputNotReady_KeepsFilesOfServicesNotKnownYetAndRemovesThemOnceEveryInputIsReady()
    {
        await _mesh.IssueAllAsync();
        _mesh.Generator.Generate();
        // A restarted mesh whose catalog has not answered within the start's wait: auth-service may only not be known yet.
        var catalog = new TestInputs("catalog", ready: false);
        _mesh.Inputs.Set(new MeshTopology([.. EnvoyTestMesh.Topology().Members.Where(m => m.Name != "auth-service")]));
        var restarted = new EnvoyGenerator(_mesh.Settings, _mesh.Planner, _mesh.Policies, [_mesh.Inputs, catalog], _mesh.State,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EnvoyGenerator>.Instance, _mesh.Time);

        restarted.Generate(verifyDisk: true)!.Result.FilesDeleted.ShouldBe(0);
        File.Exists(_mesh.PathOf("auth-service/sds-cert.yaml")).ShouldBeTrue("a running Envoy keeps its files while an input is still loading");

        catalog.ReadySource.SetResult();
        restarted.Generate()!.Result.FilesDeleted.ShouldBe(5);
        Directory.Exists(_mesh.PathOf("auth-service")).ShouldBeFalse();
    }

    [Fact]
    public async Task Generate_FolderCannotBeWritten_ReportsFailureAndHealthIsUnhealthy()
    {
        await _mesh.IssueAllAsync();
        File.WriteAllText(_mesh.PathOf("api-gateway"), "a file where the service folder belongs");

        var result = _mesh.Generator.Generate()!.Result;

        result.Succeeded.ShouldBeFalse();
        result.Failures.ShouldContain(f => f.Contains("api-gateway", StringComparison.Ordinal));
        var health = await new EnvoyHealthComponent(_mesh.State).CheckAsync(CancellationToken.None);
        health.Status.ShouldBe(ServiceMesh.Health.ComponentStatus.Unhealthy);
        health.Detail.ShouldContain("cannot write");
        File.Exists(_mesh.PathOf("api-gateway.yaml")).ShouldBeFalse(); // no bootstrap pointing at files that are not there
    }

    [Fact]
    public async Task Generate_StaticLayout_OneFilePerServiceWithMutualTlsAndStaticSecrets()
    {
        using var mesh = new EnvoyTestMesh(EnvoyConfigLayout.Static);
        await mesh.IssueAllAsync();

        mesh.Generator.Generate()!.Result.Succeeded.ShouldBeTrue();

        mesh.Files().ShouldBe(["api-gateway.yaml", "auth-service.yaml", "lucid-mongodb.yaml"]);
        var bootstrap = mesh.Yaml("auth-service.yaml");
        bootstrap.Has("dynamic_resources").ShouldBeFalse();
        var resources = bootstrap.At("static_resources");
        resources.Items("secrets").Select(s => s.Text("name")).ShouldBe(["service_cert", "trust_bundle"]);
        var inbound = resources.Items("listeners").Single(l => l.Text("name") == "public_listener");
        inbound.Items("filter_chains")[0].Text("transport_socket", "typed_config", "require_client_certificate").ShouldBe("true");
        var clusters = resources.Items("clusters").Select(c => c.Text("name")).ToList();
        resources.Scalars().Where(s => s.Key == "cluster").ShouldAllBe(s => clusters.Contains(s.Value));
        resources.MappingsWith("sds_config").ShouldBeEmpty(); // secrets by name only: the static ones above
        // Bootstrap.static_resources lists are plain repeated messages, not Any: Envoy rejects "@type" there.
        new[] { "listeners", "clusters", "secrets" }.SelectMany(list => resources.Items(list)).ShouldAllBe(item => !item.Has("@type"));
    }
}
