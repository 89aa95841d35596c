using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Certificates.Api;

/// <summary>The /certificates routes on the real host (Kestrel on loopback, real files).</summary>
public sealed class CertificateApiTests
{
    private const string Token = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Post_ValidName_IssuesAndReturnsFieldsButNeverTheKey()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.PostAsync("/certificates/api-gateway", null);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        text.ShouldNotContain("PRIVATE KEY");
        var body = await response.JsonAsync();
        body.GetProperty("service").GetString().ShouldBe("api-gateway");
        body.GetProperty("spiffe_id").GetString().ShouldBe("spiffe://lucid.local/ns/default/dc/lucid-dc/svc/api-gateway");
        var certPath = body.GetProperty("cert_path").GetString()!;
        certPath.ShouldBe(Path.Combine(host.Options.CertificatesPath, "api-gateway.crt"));
        body.GetProperty("key_path").GetString().ShouldBe(Path.Combine(host.Options.CertificatesPath, "api-gateway.key"));
        var notAfter = body.GetProperty("not_after").GetDateTimeOffset();
        (notAfter - body.GetProperty("not_before").GetDateTimeOffset()).ShouldBe(TimeSpan.FromHours(72) + TimeSpan.FromMinutes(1));
        using var leaf = X509CertificateLoader.LoadCertificateFromFile(certPath);
        body.GetProperty("serial").GetString().ShouldBe(leaf.SerialNumber);

        var listed = await (await host.Client.GetAsync("/certificates")).JsonAsync();
        listed.GetProperty("count").GetInt32().ShouldBe(1);
        listed.GetProperty("certificates")[0].GetProperty("serial").GetString().ShouldBe(leaf.SerialNumber);
        var single = await (await host.Client.GetAsync("/certificates/api-gateway")).JsonAsync();
        single.GetProperty("serial").GetString().ShouldBe(leaf.SerialNumber);
    }

    [Theory]
    [InlineData("service-mesh")]
    [InlineData("localhost")]
    public async Task Post_ControlPlaneIdentity_422AndWritesNothing(string name)
    {
        // A leaf with the server's own SPIFFE ID, or with the DNS name its certificate answers to, could pose as the server.
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.PostAsync($"/certificates/{name}", null);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.JsonAsync()).GetProperty("summary").GetString()!.ShouldContain("reserved as an identity");
        Directory.Exists(Path.Combine(host.Options.CertificatesPath, ".svid", name)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("/certificates/..%2Fx")]
    [InlineData("/certificates/A%20B")]
    [InlineData("/certificates/Api-Gateway")]
    [InlineData("/certificates/-edge")]
    [InlineData("/certificates/caf%C3%A9")]
    [InlineData("/certificates")]
    public async Task Post_InvalidName_422NamingTheRuleAndWritesNothing(string path)
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.PostAsync(path, null);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.JsonAsync();
        problem.GetProperty("summary").GetString()!.ShouldContain("expected a DNS label");
        var error = problem.GetProperty("detail")[0];
        (error.GetProperty("loc")[0].GetString(), error.GetProperty("loc")[1].GetString()).ShouldBe(("path", "service_name"));
        error.GetProperty("msg").GetString()!.ShouldContain("expected a DNS label");
        Directory.EnumerateFileSystemEntries(host.Options.CertificatesPath).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe(["ca.crl", "ca.crt", "ca.key"]);
    }

    [Fact]
    public async Task Post_NameOf300Characters_422AndWritesNothing()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.PostAsync("/certificates/" + new string('a', 300), null);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.JsonAsync()).GetProperty("summary").GetString()!.ShouldContain("1 to 63 characters");
        Directory.Exists(Path.Combine(host.Options.CertificatesPath, ".svid")).ShouldBeFalse();
    }

    [Fact]
    public async Task Post_NameCa_422BecauseItWouldReplaceTheCaFiles()
    {
        await using var host = await MeshTestHost.StartAsync();
        var ca = await File.ReadAllBytesAsync(Path.Combine(host.Options.CertificatesPath, "ca.crt"));

        using var response = await host.Client.PostAsync("/certificates/ca", null);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await File.ReadAllBytesAsync(Path.Combine(host.Options.CertificatesPath, "ca.crt"))).ShouldBe(ca);
    }

    [Fact]
    public async Task Delete_IssuedService_RemovesFilesRecordsSerialAnd404Afterwards()
    {
        await using var host = await MeshTestHost.StartAsync();
        var issued = await (await host.Client.PostAsync("/certificates/tor-proxy", null)).JsonAsync();

        using var response = await host.Client.DeleteAsync("/certificates/tor-proxy");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        File.Exists(Path.Combine(host.Options.CertificatesPath, "tor-proxy.crt")).ShouldBeFalse();
        File.Exists(Path.Combine(host.Options.CertificatesPath, "tor-proxy.key")).ShouldBeFalse();
        (await File.ReadAllTextAsync(Path.Combine(host.Options.CertificatesPath, "ca.revoked.json"))).ShouldContain(issued.GetProperty("serial").GetString()!);
        (await host.Client.GetAsync("/certificates/tor-proxy")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await host.Client.DeleteAsync("/certificates/tor-proxy")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GetCaCrl_AfterRevocation_PemListingTheSerialAsOnDisk()
    {
        await using var host = await MeshTestHost.StartAsync();
        var serial = (await (await host.Client.PostAsync("/certificates/tor-proxy", null)).JsonAsync()).GetProperty("serial").GetString()!;

        var revoked = await (await host.Client.DeleteAsync("/certificates/tor-proxy")).JsonAsync();
        using var response = await host.Client.GetAsync("/certificates/ca/crl");

        revoked.GetProperty("detail").GetString().ShouldEndWith("listed in the revocation list the sidecars check: they refuse it");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var pem = await response.Content.ReadAsStringAsync();
        pem.ShouldBe(await File.ReadAllTextAsync(Path.Combine(host.Options.CertificatesPath, "ca.crl")));
        var crlFile = Path.Combine(host.Folder.Path, "served.crl");
        await File.WriteAllTextAsync(crlFile, pem);
        var (exitCode, text) = CertificateFixture.OpenSsl("crl", "-in", crlFile, "-noout", "-text");
        exitCode.ShouldBe(0, text);
        text.ShouldContain($"Serial Number: {serial}", Case.Insensitive);
    }

    [Fact]
    public async Task GetCa_NoAccept_JsonWithCaCertificateAndBundleSameAsCaFile()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.GetAsync("/certificates/ca");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var body = await response.JsonAsync();
        var onDisk = await File.ReadAllTextAsync(Path.Combine(host.Options.CertificatesPath, "ca.crt"));
        body.GetProperty("ca_certificate").GetString().ShouldBe(onDisk);
        body.GetProperty("trust_bundle").GetString().ShouldBe(onDisk);
        body.GetProperty("ca_certificate").GetString()!.ShouldNotContain("PRIVATE KEY");
    }

    [Fact]
    public async Task GetCa_AcceptPem_ReturnsTrustBundlePemSameAsCaFile()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/certificates/ca");
        request.Headers.Accept.ParseAdd("application/x-pem-file");
        using var response = await host.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-pem-file");
        var pem = await response.Content.ReadAsStringAsync();
        pem.ShouldStartWith("-----BEGIN CERTIFICATE-----");
        pem.ShouldNotContain("PRIVATE KEY");
        pem.ShouldBe(await File.ReadAllTextAsync(Path.Combine(host.Options.CertificatesPath, "ca.crt")));
    }

    [Fact]
    public async Task RotateCa_WithLeaves_BundleHoldsBothRootsLeavesReissuedSecondRotation409()
    {
        await using var host = await MeshTestHost.StartAsync();
        var before = await (await host.Client.PostAsync("/certificates/auth-service", null)).JsonAsync();

        using var response = await host.Client.PostAsync("/certificates/ca/rotate", null);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        body.GetProperty("reissued").GetInt32().ShouldBe(1);
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem((await (await host.Client.GetAsync("/certificates/ca")).JsonAsync()).GetProperty("trust_bundle").GetString());
        bundle.Count.ShouldBe(2);
        bundle[0].SerialNumber.ShouldBe(body.GetProperty("root_serial").GetString());
        var after = await (await host.Client.GetAsync("/certificates/auth-service")).JsonAsync();
        after.GetProperty("serial").GetString().ShouldNotBe(before.GetProperty("serial").GetString());
        (await host.Client.PostAsync("/certificates/ca/rotate", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("POST", "/certificates/api-gateway")]
    [InlineData("DELETE", "/certificates/api-gateway")]
    [InlineData("POST", "/certificates/ca/rotate")]
    public async Task Mutation_TokenSetButNotSent_401AndNothingWritten(string method, string path)
    {
        await using var host = await MeshTestHost.StartAsync(settings: s => s["SERVICE_MESH_API_TOKEN"] = Token);
        var ca = await File.ReadAllBytesAsync(Path.Combine(host.Options.CertificatesPath, "ca.crt"));

        using var response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await File.ReadAllBytesAsync(Path.Combine(host.Options.CertificatesPath, "ca.crt"))).ShouldBe(ca);
        File.Exists(Path.Combine(host.Options.CertificatesPath, "api-gateway.crt")).ShouldBeFalse();
        (await host.Client.GetAsync("/certificates")).StatusCode.ShouldBe(HttpStatusCode.OK, "reads stay open");
    }

    [Fact]
    public async Task Post_WithToken_Issues()
    {
        await using var host = await MeshTestHost.StartAsync(settings: s => s["SERVICE_MESH_API_TOKEN"] = Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/certificates/api-gateway");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        (await host.Client.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
