using System.Net;
using System.Net.Sockets;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.CheckOutputTests;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery;

/// <summary>
/// CHECK_ALLOWED_NETWORKS: literal IPs outside are refused at registration, host names at every probe. Nothing here
/// connects outside 127.0.0.0/8: every refusal happens before a connection is attempted.
/// </summary>
public sealed class CheckAllowedNetworksTests
{
    [Theory]
    [InlineData("HTTP", "http://8.8.8.8/")]
    [InlineData("HTTP", "http://169.254.169.254/latest/meta-data/")]
    [InlineData("HTTP", "http://[2001:4860:4860::8888]:80/")]
    [InlineData("HTTP", "http://[::ffff:169.254.169.254]/")]
    [InlineData("TCP", "8.8.8.8:53")]
    [InlineData("TCP", "169.254.169.254:80")]
    public async Task Register_LiteralIpOutsideAllowedNetworks_400NamingFieldTargetAndSetting(string field, string target)
    {
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        var check = field == "HTTP" ? new AgentServiceCheck { Http = target, Interval = "10s" } : new AgentServiceCheck { Tcp = target, Interval = "10s" };

        var error = await Should.ThrowAsync<ConsulException>(() => consul.RegisterAsync(Service("probe", 80, check: check), default));

        error.Status.ShouldBe(HttpStatusCode.BadRequest);
        error.Message.ShouldContain($"{field} target '{target}'");
        error.Message.ShouldContain("CHECK_ALLOWED_NETWORKS");
        (await consul.CatalogServicesAsync(null, default)).Value.ShouldNotContainKey("probe");
    }

    [Fact]
    public async Task LucidRegister_HealthCheckUrlAtCloudMetadata_422NamingField()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.PostAsync("/services/register", new StringContent(
            """{"service_name":"web","service_address":"127.0.0.1","service_port":80,"health_check_url":"http://169.254.169.254/latest/meta-data/"}""",
            System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var detail = (await response.JsonAsync()).GetProperty("summary").GetString()!;
        detail.ShouldContain("health_check_url target 'http://169.254.169.254/latest/meta-data/'");
        detail.ShouldContain("CHECK_ALLOWED_NETWORKS");
    }

    [Fact]
    public async Task HttpCheck_HostNameResolvingInside_Runs()
    {
        await using var target = await CheckTargetServer.StartAsync();
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        await consul.RegisterAsync(Service("named", target.Port, check: HttpCheck($"http://localhost:{target.Port}/health")), default);

        (await EventuallyCheckAsync(consul, "named", HealthStatuses.Passing, "localhost is loopback, allowed by default")).Output.ShouldContain("200");
    }

    [Fact]
    public async Task HttpCheck_HostNameResolvingOutside_CriticalAtProbeTimeWithoutConnecting()
    {
        await using var target = await CheckTargetServer.StartAsync();
        await using var host = await MeshTestHost.StartAsync(settings: s => s["CHECK_ALLOWED_NETWORKS"] = "10.0.0.0/8");
        var consul = ConsulClientFor(host);

        // Accepted: a host name is judged when it is resolved, at every probe (so a DNS answer that changes cannot slip by).
        await consul.RegisterAsync(Service("named", target.Port, check: HttpCheck($"http://localhost:{target.Port}/health") with { Status = HealthStatuses.Passing }), default);

        var check = await EventuallyCheckAsync(consul, "named", HealthStatuses.Critical, "localhost is outside 10.0.0.0/8");
        check.Output.ShouldContain("'localhost' resolves to");
        check.Output.ShouldContain("outside CHECK_ALLOWED_NETWORKS (10.0.0.0/8)");
        target.Paths.ShouldBeEmpty("the probe never connected");
    }

    [Fact]
    public async Task TcpCheck_HostNameResolvingOutside_CriticalAtProbeTimeWithoutConnecting()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var host = await MeshTestHost.StartAsync(settings: s => s["CHECK_ALLOWED_NETWORKS"] = "192.168.0.0/16,fc00::/7");
            var consul = ConsulClientFor(host);

            await consul.RegisterAsync(Service("db", port, check: new AgentServiceCheck { Tcp = $"localhost:{port}", Interval = "100ms", Status = HealthStatuses.Passing }), default);

            var check = await EventuallyCheckAsync(consul, "db", HealthStatuses.Critical, "localhost is outside the allowed networks");
            check.Output.ShouldContain("CHECK_ALLOWED_NETWORKS");
            listener.Pending().ShouldBeFalse("the probe never connected");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task HttpCheck_FollowedRedirectLeavesAllowedNetworks_CriticalWithoutConnecting()
    {
        await using var target = await CheckTargetServer.StartAsync();
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        var url = target.Url("/redirect-to?url=" + Uri.EscapeDataString("http://169.254.169.254/latest/meta-data/"));

        await consul.RegisterAsync(Service("hop", target.Port, check: HttpCheck(url) with { FollowRedirects = true }), default);

        var check = await EventuallyCheckAsync(consul, "hop", HealthStatuses.Critical, "each hop is checked like the first");
        check.Output.ShouldContain("'169.254.169.254' resolves to 169.254.169.254, outside CHECK_ALLOWED_NETWORKS");
    }
}
