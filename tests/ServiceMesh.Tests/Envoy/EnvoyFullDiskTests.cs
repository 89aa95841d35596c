using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Envoy;
using ServiceMesh.Storage;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Envoy;

/// <summary>
/// Full ENVOY_CONFIG_PATH (issue 13): the loop survives, storage is degraded naming folder and error, and the next
/// generation with space catches up. The fault is injected (<see cref="InjectedDiskFaults"/>): tests run as root,
/// and a tmpfs would need mount privileges.
/// </summary>
public sealed class EnvoyFullDiskTests
{
    [Fact]
    public async Task Generation_EnvoyFolderFull_StorageDegradedThenRecoversWithTheFiles()
    {
        await using var host = await MeshTestHost.StartAsync();
        var generation = host.App.Services.GetRequiredService<EnvoyGenerationService>();
        var bootstrap = Path.Combine(host.Options.EnvoyConfigPath, "reports.yaml");

        using (InjectedDiskFaults.Fill(host.Options.EnvoyConfigPath))
        {
            (await host.Client.PostAsJsonAsync("/envoy/configs/reports", new { service_address = "10.0.0.12", service_port = 8080 })).Dispose();
            await generation.RequestAndWaitAsync("test: disk full", CancellationToken.None);

            var storage = await StorageAsync(host);
            storage.Status.ShouldBe("degraded");
            storage.Detail.ShouldContain($"envoy: writing to {host.Options.EnvoyConfigPath} fails");
            storage.Detail.ShouldContain("No space left on device");
            File.Exists(bootstrap).ShouldBeFalse();
        }

        await generation.RequestAndWaitAsync("test: space back", CancellationToken.None);

        (await StorageAsync(host)).Status.ShouldBe("healthy");
        File.Exists(bootstrap).ShouldBeTrue();
    }

    private static async Task<(string Status, string Detail)> StorageAsync(MeshTestHost host)
    {
        var storage = (await (await host.Client.GetAsync("/health")).JsonAsync()).GetProperty("components").GetProperty("storage");
        return (storage.GetProperty("status").GetString()!, storage.GetProperty("detail").GetString()!);
    }
}
