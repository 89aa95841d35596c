using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Discovery;
using ServiceMesh.Health;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery;

public sealed class DiscoveryHealthComponentTests
{
    [Fact]
    public async Task Health_PolledThenCatalogChanges_CountedOncePerSnapshotAndNewCountOnTheNextHealth()
    {
        await using var host = await MeshTestHost.StartAsync();
        var component = host.App.Services.GetServices<IHealthComponent>().OfType<DiscoveryHealthComponent>().Single();
        var watcher = DiscoveryTestSupport.Watcher(host);
        await RegisterAsync(host, "counted", 9500);
        (await watcher.WaitUntilAsync(s => s.Find("counted") is not null, TimeSpan.FromSeconds(15), default)).ShouldBeTrue();
        (await DiscoveryDetailAsync(host)).ShouldContain("2 services, 2 instances");
        var counted = component.CountsComputed;

        for (var i = 0; i < 5; i++)
        {
            (await DiscoveryDetailAsync(host)).ShouldContain("2 services, 2 instances");
        }

        component.CountsComputed.ShouldBe(counted, "the same snapshot is not counted again");

        await RegisterAsync(host, "counted-too", 9501);
        (await watcher.WaitUntilAsync(s => s.Find("counted-too") is not null, TimeSpan.FromSeconds(15), default)).ShouldBeTrue();
        (await DiscoveryDetailAsync(host)).ShouldContain("3 services, 3 instances (3 passing", Case.Sensitive, "the next /health after the snapshot changed shows it (with the server's own consul service)");
        component.CountsComputed.ShouldBe(counted + 1);
    }

    private static async Task RegisterAsync(MeshTestHost host, string name, int port)
    {
        using var body = new StringContent($$"""{"service_name":"{{name}}","service_address":"127.0.0.1","service_port":{{port}}}""", System.Text.Encoding.UTF8, "application/json");
        (await host.Client.PostAsync("/services/register", body)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<string> DiscoveryDetailAsync(MeshTestHost host) =>
        (await (await host.Client.GetAsync("/health")).JsonAsync()).GetProperty("components").GetProperty("discovery").GetProperty("detail").GetString()!;
}
