using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Discovery.Server;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery;

/// <summary>
/// DISCOVERY_MODE=consul against an "external Consul". No Consul binary can exist on these machines, so the external
/// registry is our embedded Consul-compatible server run on its own port: real HTTP, and it can be stopped and started.
/// </summary>
public sealed class ConsulModeTests
{
    [Fact]
    public async Task ConsulUnreachable_LastCatalogServedHealthDegraded_RecoversWhenBack()
    {
        using var data = new TempFolder();
        var port = FreePort.Next();
        await using var log = RegistryLog.Open(data.Path, NullLogger.Instance);
        var store = new RegistryStore(log, TimeProvider.System);
        var external = await StartExternalAsync(store, port);
        await store.RegisterAsync(new AgentServiceRegistration { Id = "pay-1", Name = "payments", Address = "10.0.0.5", Port = 7000 });
        await using var host = await MeshTestHost.StartAsync(settings: s =>
        {
            s["DISCOVERY_MODE"] = "consul";
            s["CONSUL_HOST"] = "127.0.0.1";
            s["CONSUL_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        await EventuallyAsync(async () => (await ServiceNamesAsync(host)).Contains("payments"), "catalog synced from the external registry");

        await external.StopAsync(default);
        await external.DisposeAsync();

        await EventuallyAsync(async () => (await DiscoveryHealthAsync(host)).Status == "degraded", "health degraded while Consul is away");
        var (_, detail) = await DiscoveryHealthAsync(host);
        detail.ShouldContain("unreachable");
        detail.ShouldContain("last known catalog");
        (await ServiceNamesAsync(host)).ShouldContain("payments", customMessage: "the last known catalog is still served, never a fake or an empty one");

        external = await StartExternalAsync(store, port);
        await store.RegisterAsync(new AgentServiceRegistration { Id = "ledger-1", Name = "ledger", Port = 7100 });
        await EventuallyAsync(async () => (await DiscoveryHealthAsync(host)).Status == "healthy", "healthy again once Consul is back", timeoutSeconds: 45);
        await EventuallyAsync(async () => (await ServiceNamesAsync(host)).Contains("ledger"), "changes made meanwhile arrive", timeoutSeconds: 45);
        await external.StopAsync(default);
        await external.DisposeAsync();
    }

    private static async Task<EmbeddedConsulServer> StartExternalAsync(RegistryStore store, int port)
    {
        var server = new EmbeddedConsulServer(store, IPAddress.Loopback, port, tls: null, token: null, NullLoggerFactory.Instance);
        await server.StartAsync(default);
        return server;
    }

    private static async Task<List<string>> ServiceNamesAsync(MeshTestHost host)
    {
        var body = await (await host.Client.GetAsync("/services")).JsonAsync();
        return body.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToList();
    }

    private static async Task<(string Status, string Detail)> DiscoveryHealthAsync(MeshTestHost host)
    {
        var discovery = (await (await host.Client.GetAsync("/health")).JsonAsync()).GetProperty("components").GetProperty("discovery");
        return (discovery.GetProperty("status").GetString()!, discovery.GetProperty("detail").GetString()!);
    }
}
