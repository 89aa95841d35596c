using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ServiceMesh.Certificates;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery;

/// <summary>The embedded registry's HTTPS port (8501): the same Consul API over TLS with a certificate from the mesh CA.</summary>
public sealed class EmbeddedConsulTlsTests
{
    [Fact]
    public async Task HttpsPort_ConsulClientTrustingMeshCa_RegistersAndReadsOverTls()
    {
        await using var host = await MeshTestHost.StartAsync();
        var endpoint = new ConsulEndpoint(new Uri($"https://127.0.0.1:{host.Options.EmbeddedConsulHttpsPort}/"), CaFile: CaFile(host));
        var consul = new ConsulClient(ConsulClient.CreateHttpClient(endpoint), endpoint);

        await consul.RegisterAsync(Service("ledger", 7100, "ledger-1"), default);

        (await consul.CatalogServiceAsync("ledger", null, default)).Value.Single().ServicePort.ShouldBe(7100);
        (await ConsulClientFor(host).AgentServicesAsync(default)).Keys.ShouldContain("ledger-1", "one registry behind both ports");
    }

    [Fact]
    public async Task HttpsPort_Curl_VerifiesAgainstTheBundleByAddressAndByLocalhostAndRefusesWithoutIt()
    {
        await using var host = await MeshTestHost.StartAsync();
        var port = host.Options.EmbeddedConsulHttpsPort;

        var (byAddress, leader) = await CurlAsync("--cacert", CaFile(host), $"https://127.0.0.1:{port}/v1/status/leader");
        var (byName, _) = await CurlAsync("--cacert", CaFile(host), "--resolve", $"localhost:{port}:127.0.0.1", $"https://localhost:{port}/v1/status/leader");
        var (untrusted, _) = await CurlAsync($"https://127.0.0.1:{port}/v1/status/leader"); // the system store does not know the mesh CA

        byAddress.ShouldBe(0, leader);
        leader.ShouldContain("\"");
        byName.ShouldBe(0);
        untrusted.ShouldBe(60, "curl exit 60: peer certificate cannot be authenticated with known CA certificates");
    }

    [Fact]
    public async Task HttpsPort_Certificate_IsTheServiceMeshSvidWithServerNamesAndNotOnDisk()
    {
        await using var host = await MeshTestHost.StartAsync();
        var bundle = X509CertificateLoader.LoadCertificateFromFile(CaFile(host));

        using var certificate = await ServerCertificateAsync(host.Options.EmbeddedConsulHttpsPort, bundle);

        SubjectAlternativeNames.Uris(certificate).ShouldBe([$"spiffe://{host.Options.TrustDomain}/ns/default/dc/{host.Options.ConsulDatacenter}/svc/service-mesh"]);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        names.EnumerateDnsNames().ShouldBe(["service-mesh", "service-mesh.lucid.local", "localhost", $"server.{host.Options.ConsulDatacenter}.consul"]);
        names.EnumerateIPAddresses().ShouldBe([IPAddress.Loopback, IPAddress.IPv6Loopback]);
        Directory.EnumerateFiles(host.Options.CertificatesPath, "*.crt", SearchOption.AllDirectories)
            .Select(file => X509CertificateLoader.LoadCertificateFromFile(file).SerialNumber)
            .ShouldNotContain(certificate.SerialNumber, "issued in memory: neither it nor its key is written to CERTIFICATES_PATH");
    }

    private static string CaFile(MeshTestHost host) => Path.Combine(host.Options.CertificatesPath, "ca.crt");

    /// <summary>A .NET TLS handshake that trusts only the bundle and checks the name "localhost"; the certificate it was given.</summary>
    private static async Task<X509Certificate2> ServerCertificateAsync(int port, X509Certificate2 bundle)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream());
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(bundle);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", CertificateChainPolicy = policy });
        return X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
    }

    private static async Task<(int ExitCode, string Output)> CurlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--silent", "--show-error", "--max-time", "10", "--noproxy", "*", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output + error);
    }
}
