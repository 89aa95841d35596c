using System.Net;
using System.Text;
using DnsClient;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Storage;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery;

// The host on an injected disk and the assertions the fault tests share.
public sealed partial class RegistryFaultTests
{
    private static void ShouldHold(RegistryStore store, SortedSet<string> services, SortedDictionary<string, string> kv, string when)
    {
        string.Join(",", store.AgentServices().Select(s => s.Id)).ShouldBe(string.Join(",", services), $"services {when} are exactly the acknowledged ones");
        store.Kv("", recurse: true).Pairs.Select(p => $"{p.Key}={Encoding.UTF8.GetString(p.Value)}")
            .Aggregate("", (all, p) => all + p + ";").ShouldBe(kv.Aggregate("", (all, p) => all + $"{p.Key}={p.Value};"), $"KV {when} is exactly the acknowledged writes");
    }

    private static Task<MeshTestHost> HostOnAsync(InjectedDisk disk, TimeProvider? clock = null) => MeshTestHost.StartAsync(services: builder =>
    {
        builder.Services.AddSingleton(sp => RegistryLog.Open(Path.Combine(sp.GetRequiredService<MeshOptions>().DataPath, "registry"),
            NullLogger.Instance, openLog: disk.Open, faults: sp.GetRequiredService<StorageFaults>()));
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }
    });

    private static string RegistryFolder(MeshTestHost host) => Path.Combine(host.Options.DataPath, "registry");

    private static StorageFault? RegistryFault(MeshTestHost host) =>
        host.App.Services.GetRequiredService<StorageFaults>().Current.SingleOrDefault(f => f.Writer == "registry");

    private static HttpClient ConsulHttp(MeshTestHost host) => new() { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}/") };

    private static Task<HttpResponseMessage> PutAsync(HttpClient http, string path, string body) =>
        http.PutAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

    private static async Task<string> IndexOfAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return response.Headers.GetValues("X-Consul-Index").Single();
    }

    // Consul's errors are plain text: 503 with the folder and the OS error, never a 500 or a stack trace.
    private static async Task ShouldBeRefusedAsync(HttpResponseMessage response, MeshTestHost host)
    {
        var reason = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, reason);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        reason.ShouldContain(RegistryFolder(host));
        reason.ShouldContain("No space left on device");
        reason.ShouldNotContain("   at ");
    }
}
