using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Configuration;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Envoy.Inputs;

/// <summary>POST /envoy/configs registrations on disk: kept across restarts, never lost to a bad file or a failed write.</summary>
public sealed class EnvoyApiRegistrationsTests : IDisposable
{
    private static readonly MeshMember Gateway = new("api-gateway", MeshProtocol.Http, 8080, 21000, [new MeshUpstreamRef("auth-service", 9001)], ["10.0.0.10"]);
    private readonly TempFolder _folder = new();
    private readonly MeshOptions _options;

    public EnvoyApiRegistrationsTests() => _options = MeshConfiguration.Load(MeshEnvironment.For(_folder)).Options!;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Set_ThenRestart_SameMembersBack()
    {
        var tcp = Gateway with { Name = "lucid-redis", Protocol = MeshProtocol.Tcp, ServicePort = 6379, PublicPort = null, Upstreams = [], Requested = new(19501, 20501, null) };
        New().Set(Gateway).ShouldBeTrue();
        New().Set(tcp).ShouldBeTrue();

        var restored = New().Current.Members;

        restored.Count.ShouldBe(2);
        ShouldBeSame(restored[0], Gateway);
        ShouldBeSame(restored[1], tcp);
    }

    [Fact]
    public void Remove_ThenRestart_Gone()
    {
        var registrations = New();
        registrations.Set(Gateway);

        registrations.Remove("api-gateway").ShouldBeTrue();

        New().Current.Members.ShouldBeEmpty();
        New().Remove("api-gateway").ShouldBeFalse();
    }

    [Theory]
    [InlineData("{\"registrations\": {\"api-gateway\": {\"service_port\": 99999}}}", "99999")]
    [InlineData("{\"registrations\": {\"api-gateway\": {\"service_address\": \"10.0.0.1\", \"service_port\": 80, \"upstreams\": [null]}}}", "[null]")]
    [InlineData("{\"registrations\": {\"Not A Name\": {}}}", "Not A Name")]
    [InlineData("not json at all", "not json")]
    public void Load_InvalidFile_MovedAsideUntouchedAndStartsEmpty(string content, string kept)
    {
        var registrations = New();
        registrations.Set(Gateway);
        File.WriteAllText(registrations.FilePath, content);

        var restarted = New();

        restarted.Current.Members.ShouldBeEmpty();
        var aside = Directory.GetFiles(Path.GetDirectoryName(registrations.FilePath)!, "registrations.json.invalid-*").ShouldHaveSingleItem();
        File.ReadAllText(aside).ShouldContain(kept);
        File.Exists(registrations.FilePath).ShouldBeFalse();
    }

    [Fact]
    public void Set_CannotSave_ThrowsAndChangesNothing()
    {
        Directory.CreateDirectory(_options.DataPath);
        File.WriteAllText(Path.Combine(_options.DataPath, "envoy"), "a file where the folder should be");
        var registrations = New();
        var changes = 0;
        registrations.Changed += _ => changes++;

        Should.Throw<IOException>(() => registrations.Set(Gateway));

        registrations.Current.Members.ShouldBeEmpty();
        changes.ShouldBe(0);
    }

    private static void ShouldBeSame(MeshMember actual, MeshMember expected)
    {
        (actual with { Upstreams = [], PassingAddresses = [] }).ShouldBe(expected with { Upstreams = [], PassingAddresses = [] });
        actual.Upstreams.ShouldBe(expected.Upstreams);
        actual.PassingAddresses.ShouldBe(expected.PassingAddresses);
    }

    private EnvoyApiRegistrations New() => new(EnvoySettings.From(_options), NullLogger<EnvoyApiRegistrations>.Instance);
}
