using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Certificates;
using ServiceMesh.Tests.Support;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Envoy;

/// <summary>A root rotation reaches the sidecars' files in order: every trust bundle and CRL first, then the new leaves.</summary>
public sealed class EnvoyRotationOrderTests(ITestOutputHelper output)
{
    private static readonly string[] Sidecars = ["billing", "invoices", "ledger", "reports", "search", "shipping"];

    [Fact]
    public async Task RotateRoot_RunningMesh_EverySdsCaWithTheNewRootWrittenBeforeAnyNewRootLeaf()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}") };
        var port = 21000;
        foreach (var name in Sidecars)
        {
            (await consul.PutAsJsonAsync("/v1/agent/service/register", new
            {
                Name = name, Address = "127.0.0.1", Port = 9000 + port % 100, Tags = new[] { "mesh" },
                Meta = new Dictionary<string, string> { ["mesh_public_port"] = (port++).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            })).EnsureSuccessStatusCode();
        }
        await EventuallyAsync(() => Task.FromResult(Sidecars.All(s => Read(host, s, "sds-cert.yaml")?.Contains("PRIVATE KEY", StringComparison.Ordinal) == true)),
            "every sidecar has its certificate inline");

        using var rotated = await host.Client.PostAsync("/certificates/ca/rotate", null);
        rotated.EnsureSuccessStatusCode();
        var manager = host.App.Services.GetRequiredService<CertificateManager>();
        var newRoot = manager.Trust.Active.Root;
        await EventuallyAsync(() => Task.FromResult(Sidecars.All(s => LeafIssuer(host, s) == KeyId(newRoot))), "every sidecar's new leaf is in its sds-cert.yaml");

        var trust = Sidecars.Select(s => (Sidecar: s, Written: Written(host, s, "sds-ca.yaml"))).ToList();
        var leaves = Sidecars.Select(s => (Sidecar: s, Written: Written(host, s, "sds-cert.yaml"))).ToList();
        foreach (var sidecar in Sidecars)
        {
            Read(host, sidecar, "sds-ca.yaml")!.Split("BEGIN X509 CRL").Length.ShouldBe(3, $"{sidecar}: the new root's CRL and the old root's final one, inline");
        }

        var lastTrust = trust.MaxBy(t => t.Written);
        var firstLeaf = leaves.MinBy(l => l.Written);
        output.WriteLine($"last sds-ca.yaml: {lastTrust.Sidecar} at {lastTrust.Written:O}; first new-root leaf: {firstLeaf.Sidecar} at {firstLeaf.Written:O}; " +
            $"gap {(firstLeaf.Written - lastTrust.Written).TotalMilliseconds:0} ms (propagation delay {CertificateSettings.DefaultTrustPropagationDelay.TotalMilliseconds:0} ms)");
        lastTrust.Written.ShouldBeLessThan(firstLeaf.Written, "no sidecar gets a new-root leaf before every peer trusts the new root and has its CRL");
        (firstLeaf.Written - lastTrust.Written).ShouldBeGreaterThanOrEqualTo(CertificateSettings.DefaultTrustPropagationDelay - TimeSpan.FromMilliseconds(50));
    }

    private static string? Read(MeshTestHost host, string sidecar, string file)
    {
        var path = Path.Combine(host.Options.EnvoyConfigPath, sidecar, file);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    // The file's last write is its rename into place: the writer replaces every file by a new inode.
    private static DateTime Written(MeshTestHost host, string sidecar, string file) =>
        File.GetLastWriteTimeUtc(Path.Combine(host.Options.EnvoyConfigPath, sidecar, file));

    private static string? LeafIssuer(MeshTestHost host, string sidecar)
    {
        if (Read(host, sidecar, "sds-cert.yaml") is not { } text || !text.Contains("inline_string", StringComparison.Ordinal))
        {
            return null;
        }

        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(((YamlMappingNode)yaml.Documents[0].RootNode).Resources().Single().Text("tls_certificate", "certificate_chain", "inline_string"));
        return chain[0].Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier is { } id ? Convert.ToHexString(id.Span) : null;
    }

    private static string KeyId(X509Certificate2 root) => root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier!;
}
