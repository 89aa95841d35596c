using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Tests.Support;
using Xunit.Abstractions;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Envoy;

/// <summary>A restart with nothing changed leaves every sidecar's files alone: the first generation waits for every input.</summary>
public sealed class EnvoyRestartTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Sidecars = ["api-gateway", "billing", "reports"];
    private readonly TempFolder _shared = new();

    public void Dispose() => _shared.Dispose();

    [Fact]
    public async Task Restart_UnchangedInputs_NoFileWrittenOrRemovedUnderEnvoyOrCertificatesPaths()
    {
        await using (var first = await StartAsync())
        {
            using var consul = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{first.Options.EmbeddedConsulHttpPort}") };
            // Two members from the catalog (embedded registry, restored from DATA_PATH), one from POST /envoy/configs.
            (await consul.PutAsJsonAsync("/v1/agent/service/register", new
            {
                Name = "billing", Address = "127.0.0.1", Port = 9100, Tags = new[] { "mesh" },
                Meta = new Dictionary<string, string> { ["mesh_public_port"] = "21001", ["mesh_upstreams"] = "reports:9001" },
            })).EnsureSuccessStatusCode();
            (await consul.PutAsJsonAsync("/v1/agent/service/register", new
            {
                Name = "reports", Address = "127.0.0.1", Port = 9200, Tags = new[] { "mesh" },
                Meta = new Dictionary<string, string> { ["mesh_public_port"] = "21002" },
            })).EnsureSuccessStatusCode();
            (await first.Client.PostAsJsonAsync("/envoy/configs/api-gateway", new
            {
                service_address = "127.0.0.1", service_port = 8080, upstreams = new[] { new { name = "billing", local_bind_port = 9002 } },
            })).EnsureSuccessStatusCode();
            await EventuallyAsync(() => Task.FromResult(Sidecars.All(s => HoldsInlinePair(first, s))), "every sidecar has its certificate inline");
            await SettleAsync(first);
        }
        var before = Snapshot();
        before.Keys.ShouldContain("envoy-configs/billing/sds-cert.yaml");

        await using (var second = await StartAsync())
        {
            var state = second.App.Services.GetRequiredService<EnvoyState>();
            await EventuallyAsync(() => Task.FromResult(state.Latest is not null), "the first generation after the restart");
            state.Latest!.Specs.Select(s => s.Name).ShouldBe(Sidecars, "the first generation already knows every member");
            // The reported rewrite came 80-160 ms after the first generation: leave room for it, then one more pass.
            await Task.Delay(TimeSpan.FromSeconds(1));
            await SettleAsync(second);
        }
        var after = Snapshot();

        var changed = before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Where(path => before.GetValueOrDefault(path) != after.GetValueOrDefault(path))
            .Select(path => $"{path}: {before.GetValueOrDefault(path) ?? "absent"} -> {after.GetValueOrDefault(path) ?? "absent"}").ToList();
        output.WriteLine($"{before.Count} entries compared; changed: {changed.Count}");
        changed.ShouldBeEmpty("a restart with unchanged inputs writes and removes nothing");
    }

    private Task<MeshTestHost> StartAsync() => MeshTestHost.StartAsync(environment =>
    {
        environment["CERTIFICATES_PATH"] = _shared.Combine("certificates");
        environment["ENVOY_CONFIG_PATH"] = _shared.Combine("envoy-configs");
        environment["DATA_PATH"] = _shared.Combine("data");
    });

    private static bool HoldsInlinePair(MeshTestHost host, string service)
    {
        var path = Path.Combine(host.Options.EnvoyConfigPath, service, "sds-cert.yaml");
        return File.Exists(path) && File.ReadAllText(path).Contains("PRIVATE KEY", StringComparison.Ordinal);
    }

    // One generation that started after everything above, and no issuance or revocation still running.
    private static async Task SettleAsync(MeshTestHost host)
    {
        await host.App.Services.GetRequiredService<EnvoyGenerationService>().RequestAndWaitAsync("test: settle", CancellationToken.None);
        await host.App.Services.GetRequiredService<SidecarCertificates>().IdleAsync();
    }

    /// <summary>
    /// Inode, modification time and size of every file, folder and link under the two folders the sidecars read (a
    /// rewrite is a new inode, a removal or temporary file changes its folder's time). Not the two folders themselves:
    /// the preflight proves each writable at every start by creating and deleting a probe file in it.
    /// </summary>
    private Dictionary<string, string> Snapshot()
    {
        var start = new ProcessStartInfo("find", ["envoy-configs", "certificates", "-mindepth", "1", "-printf", "%p %i %T@ %s\\n"])
        {
            WorkingDirectory = _shared.Path, RedirectStandardOutput = true,
        };
        using var find = Process.Start(start)!;
        var lines = find.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        find.WaitForExit();
        find.ExitCode.ShouldBe(0);
        return lines.Select(line => line.Split(' ', 2)).ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
    }
}
