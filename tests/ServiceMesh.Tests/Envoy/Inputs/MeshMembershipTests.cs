using System.Net;
using System.Net.Http.Json;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Envoy.Inputs;

/// <summary>Issue 12.1: one identity rule decides mesh membership, whatever entry point put a service forward.</summary>
public sealed class MeshMembershipTests
{
    [Fact]
    public void Decide_NamesOutsideTheRule_ExcludedWithTheReasonAndTheRestKept()
    {
        var discovery = new MeshTopology([Member("ca"), Member("MeshUpper"), Member("node_exporter"), Member("a.b"), Member("reports"),
            Member("service-mesh"), Member("localhost")]);

        var decided = MeshMembership.Decide([("discovery", 0, discovery), ("api", 10, new MeshTopology([Member("api-gateway")]))]);

        decided.Members.Select(m => $"{m.Member.Name}:{m.Source}").ShouldBe(["api-gateway:api", "reports:discovery"]);
        decided.Excluded.Select(e => e.Service).ShouldBe(["MeshUpper", "a.b", "ca", "localhost", "node_exporter", "service-mesh"]);
        decided.Excluded.Single(e => e.Service == "service-mesh").Reason.ShouldContain("the mesh's own server certificate holds it");
        decided.Excluded.Single(e => e.Service == "ca").Reason.ShouldContain("reserved");
        decided.Excluded.Single(e => e.Service == "MeshUpper").Reason.ShouldContain("lowercase");
        decided.Excluded.ShouldAllBe(e => e.Source == "discovery");
    }

    [Fact]
    public async Task ConsulRegister_MeshTagOnReservedAndUpperCaseNames_NoIdentityNoFilesHealthStaysHealthy()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}") };

        foreach (var name in new[] { "ca", "MeshUpper", "reports" })
        {
            using var registered = await consul.PutAsJsonAsync("/v1/agent/service/register", new { Name = name, Port = 8443, Tags = new[] { "mesh" } });
            registered.StatusCode.ShouldBe(HttpStatusCode.OK, "Consul's naming stays accepted for discovery");
        }

        await EventuallyAsync(async () => File.Exists(Path.Combine(host.Options.EnvoyConfigPath, "reports", "sds-cert.yaml"))
            && (await (await host.Client.GetAsync("/envoy/configs")).JsonAsync()).GetProperty("excluded").GetArrayLength() == 2,
            "the valid member is written and both others are listed as excluded");
        var listed = await (await host.Client.GetAsync("/envoy/configs")).JsonAsync();
        listed.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("service").GetString()).ShouldBe(["reports"]);
        var excluded = listed.GetProperty("excluded").EnumerateArray().ToDictionary(e => e.GetProperty("service").GetString()!, e => e.GetProperty("reason").GetString()!);
        excluded["ca"].ShouldContain("reserved");
        excluded["MeshUpper"].ShouldContain("is not valid");

        var envoyEntries = Directory.EnumerateFileSystemEntries(host.Options.EnvoyConfigPath).Select(Path.GetFileName).ToList();
        envoyEntries.ShouldBe(["reports", "reports.yaml"], ignoreOrder: true);
        Directory.EnumerateDirectories(Path.Combine(host.Options.CertificatesPath, ".svid")).Select(Path.GetFileName).ShouldNotContain("ca");
        (await host.Client.GetAsync("/certificates/ca")).StatusCode.ShouldBe(HttpStatusCode.OK); // the trust bundle, not a leaf
        using var health = await host.Client.GetAsync("/health");
        health.StatusCode.ShouldBe(HttpStatusCode.OK, await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Generate_AnyMember_SecretsNameFilesInsideItsOwnFolderNeverTheCaFiles()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}") };
        (await consul.PutAsJsonAsync("/v1/agent/service/register", new { Name = "reports", Port = 8443, Tags = new[] { "mesh" } })).EnsureSuccessStatusCode();

        var secret = Path.Combine(host.Options.EnvoyConfigPath, "reports", "sds-cert.yaml");
        await EventuallyAsync(() => Task.FromResult(File.Exists(secret) && File.ReadAllText(secret).Contains("PRIVATE KEY", StringComparison.Ordinal)), "the SVID is issued and inline");

        var text = await File.ReadAllTextAsync(secret);
        var generation = Path.Combine(host.Options.CertificatesPath, ".svid", "reports", "current");
        var secretYaml = new YamlDotNet.RepresentationModel.YamlStream();
        secretYaml.Load(new StringReader(text));
        var pair = ((YamlDotNet.RepresentationModel.YamlMappingNode)secretYaml.Documents[0].RootNode).Resources().Single().At("tls_certificate");
        pair.Text("private_key", "inline_string").ShouldBe(await File.ReadAllTextAsync(Path.Combine(generation, "svid.key")));
        pair.Text("certificate_chain", "inline_string").ShouldBe(await File.ReadAllTextAsync(Path.Combine(generation, "svid.crt")));
        text.ShouldNotContain("ca.key");
        text.ShouldNotContain((await File.ReadAllTextAsync(Path.Combine(host.Options.CertificatesPath, "ca.key"))).Split('\n')[1]);
    }

    [Fact]
    public async Task Start_FilesOfAReservedNameFromAnEarlierVersion_Removed()
    {
        string? envoyPath = null;
        await using var host = await MeshTestHost.StartAsync(settings =>
        {
            envoyPath = settings["ENVOY_CONFIG_PATH"]!;
            Directory.CreateDirectory(Path.Combine(envoyPath, "ca"));
            File.WriteAllText(Path.Combine(envoyPath, "ca", "sds-cert.yaml"), "private_key: {filename: /app/certificates/ca.key}\n");
            File.WriteAllText(Path.Combine(envoyPath, "ca.yaml"), "node: {id: ca-sidecar-proxy}\n");
            File.WriteAllText(Path.Combine(envoyPath, "NotOurs.yaml"), "an operator's file\n");
        });

        await EventuallyAsync(() => Task.FromResult(!Directory.Exists(Path.Combine(envoyPath!, "ca"))), "the stray sidecar folder is removed at start");

        File.Exists(Path.Combine(envoyPath!, "ca.yaml")).ShouldBeFalse();
        File.Exists(Path.Combine(envoyPath!, "NotOurs.yaml")).ShouldBeTrue("only files this writer creates are removed");
    }

    private static MeshMember Member(string name) => new(name, MeshProtocol.Http, 8080, 21000, [], ["10.0.0.1"]);
}
