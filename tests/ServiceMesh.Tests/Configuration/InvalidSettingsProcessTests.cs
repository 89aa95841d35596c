using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Configuration;

/// <summary>The real executable with one bad setting: exit 78 before listening, one line naming variable, value and expectation.</summary>
public sealed class InvalidSettingsProcessTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("SERVICE_MESH_HOST", "service-mesh", "expected an IP address")]
    [InlineData("HTTP_PORT", "0", "expected a port from 1 to 65535")]
    [InlineData("HTTP_PORT", "65536", "expected a port from 1 to 65535")]
    [InlineData("HTTP_PORT", "http", "expected a port from 1 to 65535")]
    [InlineData("CONSUL_PORT", "-1", "expected a port from 1 to 65535")]
    [InlineData("EMBEDDED_DNS_PORT", "99999", "expected a port from 1 to 65535")]
    [InlineData("LOG_LEVEL", "VERBOSE", "expected one of DEBUG, INFO, WARNING, ERROR")]
    [InlineData("LOG_FORMAT", "xml", "expected one of json, text")]
    [InlineData("DISCOVERY_MODE", "kubernetes", "expected one of embedded, consul")]
    [InlineData("CERTIFICATES_PATH", "certs", "expected an absolute path")]
    [InlineData("TRUST_DOMAIN", "Lucid Local", "expected a SPIFFE trust domain")]
    [InlineData("CONSUL_DATACENTER", "dc/1", "expected a Consul datacenter name")]
    [InlineData("CONSUL_HOST", "bad host!", "expected a host name or IP address")]
    [InlineData("CERT_VALIDITY_DAYS", "0", "expected a whole number of days")]
    [InlineData("CA_VALIDITY_DAYS", "forever", "expected a whole number of days")]
    [InlineData("CERT_TTL", "72", "expected a duration")]
    [InlineData("CERT_TTL", "10s", "expected a duration from 1m")]
    [InlineData("CERT_KEY_ALGORITHM", "dsa", "expected one of ecdsa-p256, ecdsa, rsa")]
    [InlineData("CERT_KEY_SIZE", "1024", "expected an RSA key size of 2048, 3072 or 4096")]
    [InlineData("CA_ROTATION_GRACE", "soon", "expected a duration")]
    [InlineData("CHECK_ALLOWED_NETWORKS", "10.0.0.1/8", "expected a comma-separated list of CIDR ranges")]
    [InlineData("SERVICES_DEFAULT_ADDRESS", "not an address!", "expected an IP address or host name")]
    public async Task Run_InvalidSetting_Exits78WithOneLineNamingIt(string variable, string value, string expected)
    {
        var environment = MeshEnvironment.For(_folder);
        environment[variable] = value;

        var result = await MeshProcess.RunAsync(environment);

        result.ExitCode.ShouldBe(78);
        var line = result.ErrorLines.ShouldHaveSingleItem();
        line.ShouldContain($"{variable}='{value}'");
        line.ShouldContain(expected);
        Directory.Exists(_folder.Combine("certificates")).ShouldBeFalse("nothing is created before settings are valid");
    }

    [Fact]
    public async Task Run_DuplicatePorts_Exits78NamingBoth()
    {
        var environment = MeshEnvironment.For(_folder, port: 8502);

        var result = await MeshProcess.RunAsync(environment);

        result.ExitCode.ShouldBe(78);
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("HTTP_PORT='8502' and EMBEDDED_CONSUL_GRPC_PORT='8502'");
    }

    [Fact]
    public async Task Run_MalformedYaml_Exits78NamingFileLineAndKey()
    {
        var environment = MeshEnvironment.For(_folder);
        var file = _folder.WriteFile("config/service-mesh.yaml", "logging:\n  level: INFO\n  format: \"json\n");

        var result = await MeshProcess.RunAsync(environment);

        result.ExitCode.ShouldBe(78);
        var line = result.ErrorLines.ShouldHaveSingleItem();
        line.ShouldContain(file);
        line.ShouldContain(" line ");
        line.ShouldContain("logging.format");
    }

    [Fact]
    public async Task Run_UnknownCommand_Exits64WithHint()
    {
        var result = await MeshProcess.RunAsync(MeshEnvironment.For(_folder), "serve-forever");

        result.ExitCode.ShouldBe(64);
        result.Error.ShouldContain("service-mesh --help");
    }

    [Fact]
    public async Task Version_Flag_PrintsVersion()
    {
        var result = await MeshProcess.RunAsync(MeshEnvironment.For(_folder), "--version");

        result.ExitCode.ShouldBe(0);
        result.Output.Trim().ShouldBe($"service-mesh {ServiceMesh.Configuration.BuildInfo.Version}");
        ServiceMesh.Configuration.BuildInfo.Version.ShouldMatch(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9a-f]+)?$");
    }

    [Fact]
    public async Task Help_Flag_ListsCommandsAndSettings()
    {
        var result = await MeshProcess.RunAsync(MeshEnvironment.For(_folder), "--help");

        result.ExitCode.ShouldBe(0);
        result.Output.ShouldContain("healthcheck");
        result.Output.ShouldContain("verify-install");
        result.Output.ShouldContain("SERVICE_MESH_HOST");
    }
}
