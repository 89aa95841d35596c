using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Json;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Discovery.Watch;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Tests.Envoy.Planning;

/// <summary>Each port setting, from each source, read back from the files the sidecar starts with.</summary>
public sealed class SidecarPortSettingsTests
{
    [Fact]
    public async Task Post_NamedAdminPrometheusAndReadyPorts_WrittenToBootstrapAndLdsOnTheStatsBindAddress()
    {
        await using var host = await MeshTestHost.StartAsync(settings: e => e["ENVOY_STATS_BIND_ADDRESS"] = "0.0.0.0");

        using var response = await host.Client.PostAsJsonAsync("/envoy/configs/reports", new
        {
            service_address = "127.0.0.1", service_port = 8080, public_port = 21500, admin_port = 19500, prometheus_port = 20500, ready_port = 22500,
        });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        (body.GetProperty("admin_port").GetInt32(), body.GetProperty("prometheus_port").GetInt32(), body.GetProperty("ready_port").GetInt32())
            .ShouldBe((19500, 20500, 22500));
        body.GetProperty("stats_bind_address").GetString().ShouldBe("0.0.0.0");
        var bootstrap = Yaml(Path.Combine(host.Options.EnvoyConfigPath, "reports.yaml"));
        bootstrap.Text("admin", "address", "socket_address", "address").ShouldBe("127.0.0.1");
        bootstrap.Text("admin", "address", "socket_address", "port_value").ShouldBe("19500");
        var listeners = Yaml(Path.Combine(host.Options.EnvoyConfigPath, "reports", "lds.yaml")).Resources().ToDictionary(l => l.Text("name"));
        listeners["public_listener"].Text("address", "socket_address", "port_value").ShouldBe("21500");
        foreach (var (name, port) in new[] { ("envoy_prometheus_metrics_listener", "20500"), ("envoy_ready_listener", "22500") })
        {
            listeners[name].Text("address", "socket_address", "address").ShouldBe("0.0.0.0");
            listeners[name].Text("address", "socket_address", "port_value").ShouldBe(port);
        }

        var selfAdmin = Yaml(Path.Combine(host.Options.EnvoyConfigPath, "reports", "cds.yaml")).Resources().Single(c => c.Text("name") == "self_admin");
        selfAdmin.MappingsWith("socket_address").Single().Text("socket_address", "port_value").ShouldBe("19500");
        selfAdmin.MappingsWith("socket_address").Single().Text("socket_address", "address").ShouldBe("127.0.0.1");
    }

    [Fact]
    public void Generate_PrometheusAndReadyListeners_RouteOnlyTheirAdminPathsAndAnswer404ForTheRest()
    {
        using var mesh = new EnvoyTestMesh();
        mesh.Generator.Generate().ShouldNotBeNull();

        var listeners = mesh.Yaml("api-gateway/lds.yaml").Resources().ToDictionary(l => l.Text("name"));

        Routes(listeners["envoy_prometheus_metrics_listener"]).ShouldBe([("/stats/prometheus", "self_admin", "/stats/prometheus"), ("/metrics", "self_admin", "/stats/prometheus"), ("/", "404", "")]);
        Routes(listeners["envoy_ready_listener"]).ShouldBe([("/ready", "self_admin", "/ready"), ("/", "404", "")]);
        listeners["envoy_ready_listener"].Text("address", "socket_address", "address").ShouldBe("127.0.0.1", "loopback unless ENVOY_STATS_BIND_ADDRESS says otherwise");
    }

    [Fact]
    public void ToTopology_ConsulMetaPorts_AreTheMembersNamedPorts()
    {
        var instance = new CatalogInstance("reports-1", "reports", "127.0.0.1", 8080, ["mesh"], new Dictionary<string, string>
        {
            ["mesh_admin_port"] = "19600", ["mesh_prometheus_port"] = "20600", ["mesh_ready_port"] = "22600", ["mesh_public_port"] = "not a port",
        }.ToImmutableSortedDictionary(StringComparer.Ordinal), InstanceHealth.Passing);
        var snapshot = new CatalogSnapshot(1, 1, DateTimeOffset.UnixEpoch,
            new[] { new CatalogService("reports", [instance], null) }.ToImmutableSortedDictionary(s => s.Name, s => s, StringComparer.Ordinal));

        var member = CatalogMeshInputs.ToTopology(snapshot).Members.ShouldHaveSingleItem();

        member.Requested.ShouldBe(new SidecarPortRequest(19600, 20600, 22600));
        member.PublicPort.ShouldBeNull("a malformed port is allocated");
        member.Declared.ShouldBeFalse();
    }

    [Fact]
    public void Parse_ServicesYamlMeshPorts_ReadIntoTheDeclaredMember()
    {
        var (definitions, problems) = ServiceDefinitionsFile.Parse("services.yaml", """
            services:
              - name: web
                port: 8080
                mesh: { public_port: 21001, admin_port: 19001, prometheus_port: 20001, ready_port: 22001 }
            """);

        problems.ShouldBeEmpty();
        var member = CatalogMeshInputs.Declared(definitions.Services.Single(), []);
        (member.PublicPort, member.Requested, member.Declared).ShouldBe((21001, new SidecarPortRequest(19001, 20001, 22001), true));
    }

    [Theory]
    [InlineData("{ public_port: 21001, admin_port: 21001 }", "public_port and admin_port are both 21001")]
    [InlineData("{ public_port: 21001, ready_port: 70000 }", "ready_port")]
    [InlineData("{ public_port: 21001, admin_prot: 19001 }", "admin_prot")]
    public void Parse_ServicesYamlMeshPortsWrong_ProblemNamesTheKey(string mesh, string expected)
    {
        var (_, problems) = ServiceDefinitionsFile.Parse("services.yaml", $"services:\n  - name: web\n    port: 8080\n    mesh: {mesh}\n");

        problems.ShouldHaveSingleItem().ShouldContain(expected);
    }

    private static List<(string Match, string Target, string Rewrite)> Routes(YamlNode listener) =>
        [.. listener.Items("filter_chains")[0].Items("filters")[0].At("typed_config", "route_config").Items("virtual_hosts")[0].Items("routes").Select(r =>
            r.At("match").Has("path")
                ? (r.Text("match", "path"), r.Text("route", "cluster"), r.Text("route", "prefix_rewrite"))
                : (r.Text("match", "prefix"), r.Text("direct_response", "status"), ""))];

    private static YamlMappingNode Yaml(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }
}
