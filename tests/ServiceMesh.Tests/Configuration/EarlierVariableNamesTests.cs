using System.Net;
using ServiceMesh.Configuration;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Configuration;

/// <summary>The earlier image's variable names (CONSUL_HTTP_PORT, SERVICE_MESH_PORT, ...) as aliases of today's.</summary>
public sealed class EarlierVariableNamesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private MeshConfigurationResult Load(Dictionary<string, string?> environment)
    {
        environment.TryAdd("CONFIG_PATH", _folder.Combine("config"));
        return MeshConfiguration.Load(environment);
    }

    private static int Port(MeshOptions options, string setting) => setting switch
    {
        "EMBEDDED_CONSUL_HTTP_PORT" => options.EmbeddedConsulHttpPort,
        "EMBEDDED_CONSUL_HTTPS_PORT" => options.EmbeddedConsulHttpsPort,
        "EMBEDDED_CONSUL_GRPC_PORT" => options.EmbeddedConsulGrpcPort,
        "EMBEDDED_DNS_PORT" => options.EmbeddedDnsPort,
        _ => throw new ArgumentOutOfRangeException(nameof(setting)),
    };

    [Theory]
    [InlineData("CONSUL_HTTP_PORT", "EMBEDDED_CONSUL_HTTP_PORT")]
    [InlineData("SERVICE_MESH_PORT", "EMBEDDED_CONSUL_HTTP_PORT")]
    [InlineData("CONSUL_HTTPS_PORT", "EMBEDDED_CONSUL_HTTPS_PORT")]
    [InlineData("CONSUL_GRPC_PORT", "EMBEDDED_CONSUL_GRPC_PORT")]
    [InlineData("CONSUL_DNS_PORT", "EMBEDDED_DNS_PORT")]
    public void Load_EarlierNameAlone_SetsTheSetting(string alias, string setting)
    {
        var result = Load(new() { [alias] = "18555" });

        result.Problems.ShouldBeEmpty();
        Port(result.Options!, setting).ShouldBe(18555);
    }

    [Theory]
    [InlineData("CONSUL_HTTP_PORT", "EMBEDDED_CONSUL_HTTP_PORT")]
    [InlineData("SERVICE_MESH_PORT", "EMBEDDED_CONSUL_HTTP_PORT")]
    [InlineData("CONSUL_DNS_PORT", "EMBEDDED_DNS_PORT")]
    public void Load_EarlierAndNewNameEqual_Accepted(string alias, string setting)
    {
        var result = Load(new() { [alias] = "18555", [setting] = "18555" });

        result.Problems.ShouldBeEmpty();
        Port(result.Options!, setting).ShouldBe(18555);
    }

    [Fact]
    public void Load_PlatformEnvFiles_ConsulPortsAndExternalConsulNamesUntouched()
    {
        // .env.core and the .env.service-mesh template together: both earlier names of the Consul HTTP port agree,
        // and CONSUL_HOST/CONSUL_PORT stay the external Consul's settings.
        var result = Load(new()
        {
            ["SERVICE_MESH_PORT"] = "8500", ["CONSUL_HTTP_PORT"] = "8500", ["CONSUL_HTTPS_PORT"] = "8501",
            ["CONSUL_GRPC_PORT"] = "8502", ["CONSUL_DNS_PORT"] = "8600", ["CONSUL_HOST"] = "localhost", ["CONSUL_PORT"] = "8500",
        });

        result.Problems.ShouldBeEmpty();
        var options = result.Options!;
        (options.EmbeddedConsulHttpPort, options.EmbeddedConsulHttpsPort, options.EmbeddedConsulGrpcPort, options.EmbeddedDnsPort).ShouldBe((8500, 8501, 8502, 8600));
        (options.ConsulHost, options.ConsulPort).ShouldBe(("localhost", 8500));
    }

    [Fact]
    public void Load_EarlierNameEmpty_CountsAsUnset()
    {
        var result = Load(new() { ["CONSUL_HTTP_PORT"] = "", ["EMBEDDED_CONSUL_HTTP_PORT"] = "18555" });

        result.Problems.ShouldBeEmpty();
        result.Options!.EmbeddedConsulHttpPort.ShouldBe(18555);
    }

    [Theory]
    [InlineData("CONSUL_HTTP_PORT", "EMBEDDED_CONSUL_HTTP_PORT")]
    [InlineData("SERVICE_MESH_PORT", "EMBEDDED_CONSUL_HTTP_PORT")]
    [InlineData("CONSUL_HTTPS_PORT", "EMBEDDED_CONSUL_HTTPS_PORT")]
    [InlineData("CONSUL_GRPC_PORT", "EMBEDDED_CONSUL_GRPC_PORT")]
    [InlineData("CONSUL_DNS_PORT", "EMBEDDED_DNS_PORT")]
    public void Load_EarlierAndNewNameDiffer_OneProblemNamingBothValues(string alias, string setting)
    {
        var result = Load(new() { [alias] = "18555", [setting] = "18556" });

        result.Options.ShouldBeNull();
        result.Problems.ShouldHaveSingleItem().ShouldBe(
            $"{setting}='18556' and {alias}='18555': different values for one setting ({alias} is the earlier name of {setting}); "
            + "expected only one of them set, or all set to the same value");
    }

    [Fact]
    public void Load_TwoEarlierNamesDiffer_OneProblemNamingBoth()
    {
        var problem = Load(new() { ["CONSUL_HTTP_PORT"] = "18555", ["SERVICE_MESH_PORT"] = "18556" }).Problems.ShouldHaveSingleItem();

        problem.ShouldStartWith("CONSUL_HTTP_PORT='18555' and SERVICE_MESH_PORT='18556': different values for one setting");
    }

    [Fact]
    public void Load_EarlierNameInvalid_ProblemSaysWhichVariableSetIt()
    {
        var problem = Load(new() { ["SERVICE_MESH_PORT"] = "consul" }).Problems.ShouldHaveSingleItem();

        problem.ShouldBe("EMBEDDED_CONSUL_HTTP_PORT='consul' (set as SERVICE_MESH_PORT, the earlier name of EMBEDDED_CONSUL_HTTP_PORT): expected a port from 1 to 65535");
    }

    [Fact]
    public async Task Run_EarlierNameForConsulPort_ConsulApiListensThere()
    {
        var port = FreePort.Next();
        await using var host = await MeshTestHost.StartAsync(settings: s =>
        {
            s.Remove("EMBEDDED_CONSUL_HTTP_PORT");
            s["SERVICE_MESH_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        using var client = new HttpClient();

        using var leader = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/v1/status/leader"));
        using var health = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));

        host.Options.EmbeddedConsulHttpPort.ShouldBe(port);
        leader.StatusCode.ShouldBe(HttpStatusCode.OK);
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Run_EarlierAndNewNameDiffer_Exits78WithOneLineNamingBoth()
    {
        var environment = MeshEnvironment.For(_folder);
        environment["CONSUL_HTTP_PORT"] = "18555";
        var current = environment["EMBEDDED_CONSUL_HTTP_PORT"];

        var result = await MeshProcess.RunAsync(environment);

        result.ExitCode.ShouldBe(78);
        var line = result.ErrorLines.ShouldHaveSingleItem();
        line.ShouldContain($"EMBEDDED_CONSUL_HTTP_PORT='{current}' and CONSUL_HTTP_PORT='18555'");
        Directory.Exists(_folder.Combine("certificates")).ShouldBeFalse("nothing is created before settings are valid");
    }

    [Fact]
    public async Task Help_Flag_ListsEarlierNames()
    {
        var result = await MeshProcess.RunAsync(MeshEnvironment.For(_folder), "--help");

        result.ExitCode.ShouldBe(0);
        result.Output.ShouldContain("EMBEDDED_CONSUL_HTTP_PORT   8500  (earlier names: CONSUL_HTTP_PORT, SERVICE_MESH_PORT)");
        result.Output.ShouldContain("EMBEDDED_DNS_PORT           8600  (earlier name: CONSUL_DNS_PORT)");
    }
}
