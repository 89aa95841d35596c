using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
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
    public async Task DeregisterCriticalServiceAfter_BelowConsulsMinute_ReapedOnlyAfterAMinuteCritical()
    {
        // Fake time: Consul's minimum (1 m) and reap interval (30 s) are driven by the clock, not waited for.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await MeshTestHost.StartAsync(services: builder => builder.Services.AddSingleton<TimeProvider>(clock));
        var consul = ConsulClientFor(host);
        var store = host.App.Services.GetRequiredService<RegistryStore>();
        await consul.RegisterAsync(Service("doomed", 9000, check: new AgentServiceCheck
        {
            CheckId = "doomed-ttl", Ttl = "10s", Status = HealthStatuses.Passing, DeregisterCriticalServiceAfter = "5s",
        }), default);

        await AdvanceUntilAsync(clock, () => Task.FromResult(store.CheckStateOf("doomed-ttl")?.Status == HealthStatuses.Critical), "TTL expiry → critical");
        var criticalSince = store.CheckStateOf("doomed-ttl")!.CriticalSince!.Value;
        var reapedAt = await AdvanceUntilAsync(clock, async () => !(await consul.CatalogServicesAsync(null, default)).Value.ContainsKey("doomed"), "critical service reaped");

        // 5 s asked for, raised to the minute: the reap passes while it was critical for 5 s to a minute left it alone.
        (reapedAt - criticalSince).ShouldBeGreaterThan(CheckRunner.MinimumDeregisterAfter);
        (reapedAt - criticalSince).ShouldBeLessThanOrEqualTo(CheckRunner.MinimumDeregisterAfter + CheckRunner.ReapEvery + TimeSpan.FromSeconds(5));
    }

    [Theory] // agent.go addCheck: check_deregister_interval_min (1 m) raises shorter values; none or 0 never reaps
    [InlineData("5s", 60)]
    [InlineData("59s", 60)]
    [InlineData("90m", 5400)]
    [InlineData(null, null)]
    public void ReapAfter_DeregisterCriticalServiceAfter_RaisedToConsulsMinimum(string? asked, int? seconds)
    {
        var check = new CheckDefinition("c", "c", null, "GET", null, TimeSpan.FromSeconds(10), TimeSpan.Zero, TimeSpan.Zero,
            GoDuration.TryParse(asked, out var after) ? after : null, HealthStatuses.Critical, "");

        CheckRunner.ReapAfter(check).ShouldBe(seconds is { } s ? TimeSpan.FromSeconds(s) : null);
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

    /// <summary>Moves the fake clock 5 s at a time, giving the host's timers a moment after each step, until the condition holds.</summary>
    internal static async Task<DateTimeOffset> AdvanceUntilAsync(FakeTimeProvider clock, Func<Task<bool>> condition, string what, int maxSteps = 60)
    {
        for (var step = 0; step < maxSteps; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            var settle = DateTime.UtcNow.AddMilliseconds(300);
            while (DateTime.UtcNow < settle)
            {
                if (await condition())
                {
                    return clock.GetUtcNow();
                }

                await Task.Delay(25);
            }
        }
        throw new TimeoutException($"not within {maxSteps * 5} s of fake time: {what}");
    }

    private static async Task<bool> StatusIs(ConsulClient consul, string name, string status) =>
        (await consul.HealthServiceAsync(name, false, null, default)).Value.SingleOrDefault()?.Checks.SingleOrDefault()?.Status == status;
}
