using System.Collections.Immutable;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Discovery.Watch;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Planning;

namespace ServiceMesh.Tests.Envoy.Inputs;

/// <summary>Which catalog services become sidecars, with which upstreams and endpoints.</summary>
public sealed class CatalogMeshInputsTests
{
    [Fact]
    public void ToTopology_MeshDefinitionsAndTaggedServices_BecomeMembersWithPassingInstancesOnly()
    {
        var gateway = new ServiceDefinition("api-gateway", "10.0.0.10", 8080, ServiceProtocol.Http, [], null,
            new MeshDefinition(21000, [new UpstreamDefinition("lucid-redis", 9002)]), Line: 1);
        var snapshot = Snapshot(
            new CatalogService("api-gateway", [Instance("api-gateway", "10.0.0.10", InstanceHealth.Passing)], gateway),
            new CatalogService("lucid-redis",
            [
                Instance("lucid-redis", "10.0.0.20", InstanceHealth.Passing, tags: ["mesh"], meta: new() { ["protocol"] = "tcp", ["mesh_public_port"] = "21005", ["mesh_upstreams"] = "api-gateway:9010,Bad Name:1" }),
                Instance("lucid-redis", "10.0.0.21", InstanceHealth.Critical, tags: ["mesh"]),
            ], null),
            new CatalogService("tor-proxy", [Instance("tor-proxy", "10.0.0.30", InstanceHealth.Passing)], null)); // not in the mesh

        var members = CatalogMeshInputs.ToTopology(snapshot).Members;

        members.Select(m => m.Name).ShouldBe(["api-gateway", "lucid-redis"]);
        members[0].PublicPort.ShouldBe(21000);
        members[0].Upstreams.ShouldBe([new MeshUpstreamRef("lucid-redis", 9002)]);
        members[1].Protocol.ShouldBe(MeshProtocol.Tcp);
        members[1].PublicPort.ShouldBe(21005);
        members[1].PassingAddresses.ShouldBe(["10.0.0.20"]);
        members[1].Upstreams.ShouldBe([new MeshUpstreamRef("api-gateway", 9010)]);
    }

    [Theory]
    [InlineData("grpc", nameof(MeshProtocol.Grpc))]
    [InlineData("http2", nameof(MeshProtocol.Http2))]
    [InlineData("tcp", nameof(MeshProtocol.Tcp))]
    [InlineData(null, nameof(MeshProtocol.Http))]
    [InlineData("quic", nameof(MeshProtocol.Http))] // unknown: HTTP/1.1, as before the mesh knew other protocols
    public void ToTopology_ConsulMetaProtocol_IsTheMembersProtocol(string? meta, string expected)
    {
        var snapshot = Snapshot(new CatalogService("api", [Instance("api", "10.0.0.40", InstanceHealth.Passing, tags: ["mesh"],
            meta: meta is null ? null : new() { ["protocol"] = meta })], null));

        CatalogMeshInputs.ToTopology(snapshot).Members.Single().Protocol.ToString().ShouldBe(expected);
    }

    [Fact]
    public void ToTopology_ServicesYamlGrpc_MemberSpeaksGrpc()
    {
        var definition = new ServiceDefinition("api", "10.0.0.40", 50051, ServiceProtocol.Grpc, [], null, new MeshDefinition(21000, []), Line: 1);
        var snapshot = Snapshot(new CatalogService("api", [Instance("api", "10.0.0.40", InstanceHealth.Passing)], definition));

        CatalogMeshInputs.ToTopology(snapshot).Members.Single().Protocol.ShouldBe(MeshProtocol.Grpc);
    }

    private static CatalogSnapshot Snapshot(params CatalogService[] services) =>
        new(1, 1, DateTimeOffset.UnixEpoch, services.ToImmutableSortedDictionary(s => s.Name, s => s, StringComparer.Ordinal));

    private static CatalogInstance Instance(string service, string address, InstanceHealth health, string[]? tags = null, Dictionary<string, string>? meta = null) =>
        new($"{service}-{address}", service, address, 8080, [.. tags ?? []],
            (meta ?? []).ToImmutableSortedDictionary(StringComparer.Ordinal), health);
}
