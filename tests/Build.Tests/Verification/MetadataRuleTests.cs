using ServiceMesh.Build.Verification;

namespace ServiceMesh.Build.Tests.Verification;

public sealed class MetadataRuleTests
{
    [Fact]
    public async Task VerifyAsync_WrongArchitecture_FailsPlatformAndDoesNotRunTheImage()
    {
        var engine = CompliantImage.Engine(CompliantImage.Facts() with { Architecture = "amd64" });

        var results = await CompliantImage.VerifyAsync(engine);

        results.Single("metadata: platform").Passed.ShouldBeFalse();
        results.Single("metadata: platform").Detail.ShouldContain("linux/amd64 (expected linux/arm64)");
        results.Single("run: skipped").Passed.ShouldBeFalse();
        engine.Created.Count.ShouldBe(1); // only the file reader
    }

    [Theory]
    [InlineData("", "no USER")]
    [InlineData("0:0", "USER 0:0")]
    [InlineData("root", "USER root")]
    [InlineData("nonroot", "USER nonroot")]
    public async Task VerifyAsync_RootOrNamedUser_FailsUserCheck(string user, string detail)
    {
        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(CompliantImage.Facts() with { User = user }));

        results.ShouldFailOnly("metadata: non-root numeric user").Detail.ShouldContain(detail);
    }

    [Fact]
    public async Task VerifyAsync_ShellFormEntrypoint_FailsEntrypointCheck()
    {
        var facts = CompliantImage.Facts() with { Entrypoint = ["/bin/sh", "-c", "/app/service-mesh"] };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(facts));

        results.ShouldFailOnly("metadata: exec-form entrypoint").Detail.ShouldContain("shell form");
    }

    [Fact]
    public async Task VerifyAsync_NoHealthcheck_FailsHealthcheckCheck()
    {
        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(CompliantImage.Facts() with { Healthcheck = null }));

        results.ShouldFailOnly("metadata: healthcheck").Detail.ShouldBe("no HEALTHCHECK");
    }

    [Fact]
    public async Task VerifyAsync_HealthcheckThroughShell_FailsHealthcheckCheck()
    {
        var facts = CompliantImage.Facts() with { Healthcheck = ImageExpectations.Healthcheck with { Test = ["CMD-SHELL", "curl -f http://localhost:8088/health"] } };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(facts));

        results.ShouldFailOnly("metadata: healthcheck").Detail.ShouldContain("expected CMD /app/service-mesh healthcheck");
    }

    [Fact]
    public async Task VerifyAsync_UdpDnsPortNotExposed_FailsPortsCheck()
    {
        var facts = CompliantImage.Facts() with { ExposedPorts = ImageExpectations.ExposedPorts.Where(p => p != "8600/udp").ToList() };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(facts));

        results.ShouldFailOnly("metadata: exposed ports").Detail.ShouldBe("missing 8600/udp");
    }

    [Fact]
    public async Task VerifyAsync_BindAddressDefaultMissing_FailsEnvironmentCheck()
    {
        var facts = CompliantImage.Facts() with { Environment = CompliantImage.Facts().Environment.Where(e => !e.StartsWith("SERVICE_MESH_HOST=", StringComparison.Ordinal)).ToList() };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(facts));

        results.ShouldFailOnly("metadata: environment defaults").Detail.ShouldContain("SERVICE_MESH_HOST missing");
    }

    [Theory]
    [InlineData("SERVICE_MESH_API_TOKEN=abc")]
    [InlineData("MONGO_PASSWORD=")]
    [InlineData("AWS_SECRET_ACCESS_KEY=x")]
    [InlineData("TOR_PRIVATE_KEY=x")]
    public async Task VerifyAsync_SecretLookingVariable_FailsSecretsCheck(string variable)
    {
        var facts = CompliantImage.Facts() with { Environment = [.. CompliantImage.Facts().Environment, variable] };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(facts));

        results.ShouldFailOnly("metadata: no secret-looking environment").Detail.ShouldContain(variable.Split('=')[0]);
    }

    [Fact]
    public async Task VerifyAsync_CertificatesNotAVolume_FailsVolumesCheck()
    {
        var facts = CompliantImage.Facts() with { Volumes = ["/app/envoy-configs", "/app/data", "/app/logs"] };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(facts));

        results.ShouldFailOnly("metadata: volumes").Detail.ShouldContain("/app/certificates");
    }

    [Fact]
    public async Task VerifyAsync_ImageOverBudget_FailsSizeCheckWithBothSizes()
    {
        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(CompliantImage.Facts() with { Size = 103_000_000 }));

        results.ShouldFailOnly("size: within budget").Detail.ShouldBe("103.0 MB of 40 MB");
    }
}
