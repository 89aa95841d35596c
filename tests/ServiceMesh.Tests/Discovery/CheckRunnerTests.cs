using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery;

/// <summary>The embedded registry runs HTTP and TCP checks itself, against real loopback listeners the tests control.</summary>
public sealed class CheckRunnerTests
{
    [Fact]
    public async Task HttpCheck_EndpointStatusChanges_PassingThenWarningOn429ThenCritical()
    {
        await using var target = await HealthEndpointServer.StartAsync();
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        // A generous probe timeout: a stalled machine must not turn a probe into "timed out" (not what this test is about).
        await consul.RegisterAsync(Service("checked", target.Port, check: new AgentServiceCheck { Http = target.Url, Interval = "100ms", Timeout = "30s" }), default);

        await EventuallyAsync(() => StatusIs(consul, "checked", HealthStatuses.Passing), "HTTP 200 → passing");
        target.StatusCode = 429;
        await EventuallyAsync(() => StatusIs(consul, "checked", HealthStatuses.Warning), "HTTP 429 → warning");
        target.StatusCode = 500;
        await EventuallyAsync(() => StatusIs(consul, "checked", HealthStatuses.Critical), "HTTP 500 → critical");
        var check = (await consul.HealthServiceAsync("checked", false, null, default)).Value.Single().Checks.Single();
        check.Output.ShouldContain("500");
        check.Output.ShouldContain("status 500", customMessage: "the response body is kept as output");
    }

    [Fact]
    public async Task TcpCheck_ListenerStopped_BecomesCritical()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("db", port, check: new AgentServiceCheck { Tcp = $"127.0.0.1:{port}", Interval = "100ms", Timeout = "1s" }), default);

        await EventuallyAsync(() => StatusIs(consul, "db", HealthStatuses.Passing), "listening → passing");
        listener.Stop();
        await EventuallyAsync(() => StatusIs(consul, "db", HealthStatuses.Critical), "stopped → critical");
    }

    [Fact]
    public async Task DeregisterCriticalServiceAfter_CriticalLongEnough_ServiceRemoved()
    {
        // The check starts passing (Status, as Consul allows), so the reaper cannot win a race against the first look
        // at the catalog: a check critical from registration on was reaped before a loaded CI machine looked once.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("doomed", port, check: new AgentServiceCheck
        {
            Tcp = $"127.0.0.1:{port}", Interval = "100ms", Timeout = "500ms", DeregisterCriticalServiceAfter = "500ms", Status = HealthStatuses.Passing,
        }), default);
        await EventuallyAsync(() => StatusIs(consul, "doomed", HealthStatuses.Passing), "listening → passing");

        listener.Stop();

        // Only the reaper removes a service nobody deregistered, and it acts only on a critical check.
        await EventuallyAsync(async () => !(await consul.CatalogServicesAsync(null, default)).Value.ContainsKey("doomed"), "critical service reaped");
    }

    [Fact]
    public async Task TtlCheck_NoUpdateWithinTtl_ExpiresToCritical()
    {
        // The host's clock is a fake one, so "passing right after the update" cannot be outrun by a slow machine.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await MeshTestHost.StartAsync(services: builder => builder.Services.AddSingleton<TimeProvider>(clock));
        var consul = ConsulClientFor(host);
        await consul.RegisterAsync(Service("heartbeat", 9000, check: new AgentServiceCheck { CheckId = "hb", Ttl = "300ms" }), default);

        await consul.UpdateTtlAsync("hb", HealthStatuses.Passing, null, default);
        (await StatusIs(consul, "heartbeat", HealthStatuses.Passing)).ShouldBeTrue();
        await EventuallyAsync(async () =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            return await StatusIs(consul, "heartbeat", HealthStatuses.Critical);
        }, "TTL expiry → critical");
        (await consul.HealthServiceAsync("heartbeat", false, null, default)).Value.Single().Checks.Single().Output.ShouldContain("TTL expired");
    }

    private static async Task<bool> StatusIs(ConsulClient consul, string name, string status) =>
        (await consul.HealthServiceAsync(name, false, null, default)).Value.SingleOrDefault()?.Checks.SingleOrDefault()?.Status == status;
}
