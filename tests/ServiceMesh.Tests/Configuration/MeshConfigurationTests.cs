using System.Net;
using Microsoft.Extensions.Logging;
using ServiceMesh.Configuration;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Configuration;

public sealed class MeshConfigurationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private MeshConfigurationResult Load(Dictionary<string, string?> environment)
    {
        environment.TryAdd("CONFIG_PATH", _folder.Combine("config"));
        return MeshConfiguration.Load(environment);
    }

    private string WriteYaml(string text) => _folder.WriteFile("config/service-mesh.yaml", text);

    [Fact]
    public void Load_NothingSet_UsesLucidDefaults()
    {
        var result = Load([]);

        result.Problems.ShouldBeEmpty();
        var options = result.Options!;
        options.BindAddress.ShouldBe(IPAddress.Any);
        options.HttpPort.ShouldBe(8088);
        options.ConsulHost.ShouldBe("localhost");
        options.ConsulPort.ShouldBe(8500);
        options.ConsulDatacenter.ShouldBe("lucid-dc");
        options.LogLevel.ShouldBe(LogLevel.Information);
        options.LogFormat.ShouldBe(LogFormat.Json);
        options.CertificatesPath.ShouldBe("/app/certificates");
        options.EnvoyConfigPath.ShouldBe("/app/envoy-configs");
        options.DataPath.ShouldBe("/app/data");
        options.LogsPath.ShouldBe("/app/logs");
        options.DiscoveryMode.ShouldBe(DiscoveryMode.Embedded);
        options.TrustDomain.ShouldBe("lucid.local");
        options.ApiToken.ShouldBeNull();
        (options.EmbeddedConsulHttpPort, options.EmbeddedConsulHttpsPort, options.EmbeddedConsulGrpcPort, options.EmbeddedDnsPort).ShouldBe((8500, 8501, 8502, 8600));
    }

    [Fact]
    public void Load_YamlAndEnvironment_EnvironmentWinsOverYamlWinsOverDefault()
    {
        WriteYaml("""
            server:
              http_port: 9001
            logging:
              level: DEBUG
            """);

        var options = Load(new() { ["HTTP_PORT"] = "9002" }).Options!;

        options.HttpPort.ShouldBe(9002);
        options.LogLevel.ShouldBe(LogLevel.Debug);
        options.LogFormat.ShouldBe(LogFormat.Json);
    }

    [Fact]
    public void Load_HostnameAsBindAddress_ExplainsItIsTheBindAddress()
    {
        var problem = Load(new() { ["SERVICE_MESH_HOST"] = "service-mesh" }).Problems.ShouldHaveSingleItem();

        problem.ShouldStartWith("SERVICE_MESH_HOST='service-mesh'");
        problem.ShouldContain("expected an IP address");
        problem.ShouldContain("not the container's hostname");
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Load_IpBindAddress_Accepted(string address) =>
        Load(new() { ["SERVICE_MESH_HOST"] = address }).Options!.BindAddress.ShouldBe(IPAddress.Parse(address));

    [Theory]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("INFO", LogLevel.Information)]
    [InlineData("WARNING", LogLevel.Warning)]
    [InlineData("ERROR", LogLevel.Error)]
    [InlineData("Trace", LogLevel.Trace)]
    [InlineData("Debug", LogLevel.Debug)]
    [InlineData("Information", LogLevel.Information)]
    [InlineData("Warning", LogLevel.Warning)]
    [InlineData("Error", LogLevel.Error)]
    [InlineData("Critical", LogLevel.Critical)]
    public void Load_LucidAndDotnetLogLevels_Accepted(string value, LogLevel expected) =>
        Load(new() { ["LOG_LEVEL"] = value }).Options!.LogLevel.ShouldBe(expected);

    [Fact]
    public void Load_TwoPortsEqual_NamesBothVariables()
    {
        var problem = Load(new() { ["HTTP_PORT"] = "8600" }).Problems.ShouldHaveSingleItem();

        problem.ShouldContain("HTTP_PORT='8600'");
        problem.ShouldContain("EMBEDDED_DNS_PORT='8600'");
        problem.ShouldContain("distinct");
    }

    [Fact]
    public void Load_SeveralInvalidValues_ReportsEachOnItsOwnLine()
    {
        var problems = Load(new() { ["HTTP_PORT"] = "0", ["LOG_FORMAT"] = "xml", ["DISCOVERY_MODE"] = "k8s" }).Problems;

        problems.Count.ShouldBe(3);
        problems.ShouldContain(p => p.StartsWith("HTTP_PORT='0'", StringComparison.Ordinal) && p.Contains("1 to 65535", StringComparison.Ordinal));
        problems.ShouldContain(p => p.StartsWith("LOG_FORMAT='xml'", StringComparison.Ordinal) && p.Contains("json, text", StringComparison.Ordinal));
        problems.ShouldContain(p => p.StartsWith("DISCOVERY_MODE='k8s'", StringComparison.Ordinal) && p.Contains("embedded, consul", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ShortApiToken_RejectedWithoutEchoingIt()
    {
        var problem = Load(new() { ["SERVICE_MESH_API_TOKEN"] = "secret-123" }).Problems.ShouldHaveSingleItem();

        problem.ShouldStartWith("SERVICE_MESH_API_TOKEN=(hidden)");
        problem.ShouldNotContain("secret-123");
    }

    [Fact]
    public void Load_InvalidValueFromYaml_NamesFileLineAndKey()
    {
        var file = WriteYaml("""
            server:
              host: 0.0.0.0
              http_port: eighty
            """);

        var problem = Load([]).Problems.ShouldHaveSingleItem();

        problem.ShouldBe($"HTTP_PORT='eighty' ({file} line 3, key server.http_port): expected a port from 1 to 65535");
    }

    [Fact]
    public void Load_MalformedYaml_NamesFileLineAndLastKey()
    {
        var file = WriteYaml("""
            server:
              host: 0.0.0.0
              http_port: [8088
            logging:
              level: INFO
            """);

        var problems = Load([]).Problems;

        problems.ShouldNotBeEmpty();
        problems.ShouldAllBe(p => p.StartsWith(file, StringComparison.Ordinal) && p.Contains("line 3", StringComparison.Ordinal));
        problems.ShouldContain(p => p.Contains("malformed YAML", StringComparison.Ordinal) && p.Contains("server.http_port", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_UnknownYamlKey_NamesLineAndKnownKeys()
    {
        var file = WriteYaml("""
            server:
              htp_port: 9000
            """);

        var problem = Load([]).Problems.ShouldHaveSingleItem();

        problem.ShouldStartWith($"{file} line 2, key 'server.htp_port': unknown setting");
        problem.ShouldContain("server.http_port");
    }

    [Fact]
    public void Load_CheckAllowedNetworksUnset_LoopbackAndPrivateOnly()
    {
        var allowed = Load([]).Options!.CheckAllowedNetworks;

        foreach (var inside in new[] { "127.0.0.1", "::1", "10.1.2.3", "172.31.255.1", "192.168.1.1", "fd00::1", "::ffff:127.0.0.1" })
        {
            allowed.Contains(IPAddress.Parse(inside)).ShouldBeTrue(inside);
        }

        foreach (var outside in new[] { "169.254.169.254", "fe80::1", "8.8.8.8", "172.32.0.1", "0.0.0.0", "2001:db8::1", "::ffff:169.254.169.254" })
        {
            allowed.Contains(IPAddress.Parse(outside)).ShouldBeFalse(outside);
        }
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/8,,127.0.0.0/8")]
    [InlineData("10.0.0.0/8,")]
    [InlineData("private")]
    public void Load_CheckAllowedNetworksInvalid_OneProblemNamingIt(string value)
    {
        var problem = Load(new() { ["CHECK_ALLOWED_NETWORKS"] = value }).Problems.ShouldHaveSingleItem();

        problem.ShouldContain($"CHECK_ALLOWED_NETWORKS='{value}'");
        problem.ShouldContain("expected a comma-separated list of CIDR ranges");
    }

    [Fact]
    public void Load_ShippedDefaultYaml_IsValidAndMatchesDefaults()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "config");

        var result = MeshConfiguration.Load(new Dictionary<string, string?> { ["CONFIG_PATH"] = shipped });

        result.Problems.ShouldBeEmpty();
        result.Options.ShouldBe(Load([]).Options! with { ConfigPath = result.Options!.ConfigPath });
    }
}
