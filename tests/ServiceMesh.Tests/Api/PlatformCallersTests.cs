using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Api;

/// <summary>
/// Issue 18: the requests the Lucid platform's own files make of the service mesh (HamiGames/Lucid, read for this
/// test), each row named after the file it comes from, replayed against a real host and answered as those callers expect.
/// </summary>
public sealed class PlatformCallersTests
{
    public static TheoryData<string> Callers =>
    [
        "scripts/validation/validate-phase2-containers.sh: curl -f localhost:8500/v1/status/leader",
        "scripts/validation/validate-phase2-containers.sh: curl -f localhost:8500/health",
        "configs/environment/.env.core: SERVICE_MESH_HEALTH_URL=http://service-mesh:8500/health",
        "ops/monitoring/prometheus.yml: job lucid-service-mesh-controller scrapes :8500/metrics",
        "configs/docker/docker-compose.core.yml: healthcheck GET :8088/health",
        "admin/services/service_discovery.py: GET :8500/v1/catalog/services",
        "admin/services/service_discovery.py: GET :8500/v1/health/service/<name>",
        "infrastructure/service_mesh/discovery/consul_client.py: agent.service.register with an HTTP check",
    ];

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Replay_PlatformCaller_AnsweredAsItExpects(string caller)
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}") };
        using var registered = await consul.PutAsJsonAsync("/v1/agent/service/register", new
        {
            ID = "lucid-auth-service-1", Name = "lucid-auth-service", Address = "127.0.0.1", Port = host.Options.HttpPort, Tags = new[] { "lucid", "support" },
            Check = new { HTTP = $"http://127.0.0.1:{host.Options.HttpPort}/health", Interval = "30s", Timeout = "10s" },
        });
        registered.StatusCode.ShouldBe(HttpStatusCode.OK, await registered.Content.ReadAsStringAsync());

        switch (caller)
        {
            case var c when c.EndsWith("/v1/status/leader", StringComparison.Ordinal):
                (await consul.GetStringAsync(new Uri("/v1/status/leader", UriKind.Relative))).ShouldMatch("^\"[0-9.]+:[0-9]+\"$");
                break;
            case var c when c.EndsWith(":8500/health", StringComparison.Ordinal):
                using (var health = await consul.GetAsync(new Uri("/health", UriKind.Relative)))
                {
                    health.StatusCode.ShouldBe(HttpStatusCode.OK); // curl -f: any 2xx
                    (await health.JsonAsync()).GetProperty("status").GetString().ShouldBeOneOf("healthy", "degraded");
                }
                break;
            case var c when c.EndsWith(":8500/metrics", StringComparison.Ordinal):
                using (var metrics = await consul.GetAsync(new Uri("/metrics", UriKind.Relative)))
                {
                    metrics.StatusCode.ShouldBe(HttpStatusCode.OK);
                    metrics.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
                    (await metrics.Content.ReadAsStringAsync()).ShouldContain("# TYPE ");
                }
                break;
            case var c when c.EndsWith(":8088/health", StringComparison.Ordinal):
                (await host.Client.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode.ShouldBeTrue();
                break;
            case var c when c.EndsWith("/v1/catalog/services", StringComparison.Ordinal):
                var services = JsonDocument.Parse(await consul.GetStringAsync(new Uri("/v1/catalog/services", UriKind.Relative))).RootElement;
                services.GetProperty("lucid-auth-service").EnumerateArray().Select(t => t.GetString()).ShouldBe(["lucid", "support"]);
                break;
            case var c when c.EndsWith("/v1/health/service/<name>", StringComparison.Ordinal):
                // The caller reads Service.Address, Service.Port, Node.Address and calls it healthy when Checks[0].Status is "passing".
                await Discovery.DiscoveryTestSupport.EventuallyAsync(async () =>
                {
                    var entries = JsonDocument.Parse(await consul.GetStringAsync(new Uri("/v1/health/service/lucid-auth-service", UriKind.Relative))).RootElement;
                    return entries.GetArrayLength() == 1 && entries[0].GetProperty("Checks")[0].GetProperty("Status").GetString() == "passing";
                }, "the registered instance's check passes");
                var entry = JsonDocument.Parse(await consul.GetStringAsync(new Uri("/v1/health/service/lucid-auth-service", UriKind.Relative))).RootElement[0];
                entry.GetProperty("Service").GetProperty("Address").GetString().ShouldBe("127.0.0.1");
                entry.GetProperty("Service").GetProperty("Port").GetInt32().ShouldBe(host.Options.HttpPort);
                entry.GetProperty("Node").GetProperty("Address").GetString().ShouldNotBeNullOrEmpty();
                break;
            case var c when c.Contains("agent.service.register", StringComparison.Ordinal):
                var agent = JsonDocument.Parse(await consul.GetStringAsync(new Uri("/v1/agent/services", UriKind.Relative))).RootElement;
                agent.GetProperty("lucid-auth-service-1").GetProperty("Service").GetString().ShouldBe("lucid-auth-service");
                break;
            default:
                throw new InvalidOperationException($"no replay for '{caller}'");
        }
    }
}
