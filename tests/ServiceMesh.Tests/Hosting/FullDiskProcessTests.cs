using System.Globalization;
using System.Net;
using System.Text;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Hosting;

/// <summary>
/// The scenario on a real full disk, not an injected one: DATA_PATH on a 512 KB tmpfs in the child's own mount
/// namespace (`unshare -m`, root with CAP_SYS_ADMIN, as <see cref="ReadOnlyMountTests"/>), filled by the test through
/// /proc/&lt;pid&gt;/root. A TTL check goes critical, its DeregisterCriticalServiceAfter passes while nothing can be written:
/// the process keeps running, refuses writes with 503 and the reason, shows storage unhealthy, and once space is back
/// reaps the service and accepts writes again by itself.
/// </summary>
public sealed class FullDiskProcessTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_DataPathFillsUp_KeepsRunningRefusesWritesWith503ThenRecoversByItself()
    {
        var environment = MeshEnvironment.For(_folder);
        var data = environment["DATA_PATH"]!;
        Directory.CreateDirectory(data);
        int httpPort = Port(environment, "HTTP_PORT"), consulPort = Port(environment, "EMBEDDED_CONSUL_HTTP_PORT");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{consulPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        using var mesh = MeshProcess.StartOnSmallDisk(environment, data, "512k");
        await Http.WaitForListeningAsync(consulPort, mesh, TimeSpan.FromSeconds(60));
        (await Http.WaitForHealthyAsync(httpPort, TimeSpan.FromSeconds(60))).ShouldBe(HttpStatusCode.OK);
        (await RegisterAsync(http, "doomed", """, "Check": {"CheckID": "doomed-ttl", "TTL": "1s", "DeregisterCriticalServiceAfter": "2s"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var filler = mesh.InNamespace(Path.Combine(data, "filler"));
        Fill(filler);
        using var refused = await RegisterAsync(http, "refused", "");
        var reason = await refused.Content.ReadAsStringAsync();
        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, reason);
        reason.ShouldContain("No space left on device");
        (await http.GetStringAsync("v1/catalog/service/refused")).ShouldBe("[]"); // refused: never visible

        // The TTL expires after 1 s and the reaper's deregistration is due 2 s later: it fails, over and over.
        await Task.Delay(TimeSpan.FromSeconds(5));
        mesh.HasExited.ShouldBeFalse("a failed deregistration must not stop the process");
        var health = await HealthAsync(httpPort);
        health.GetProperty("components").GetProperty("storage").GetProperty("status").GetString().ShouldBe("unhealthy");
        health.GetProperty("components").GetProperty("storage").GetProperty("detail").GetString()!.ShouldContain(data);
        (await http.GetStringAsync("v1/catalog/service/doomed")).ShouldContain("\"doomed\""); // its removal was not durable

        File.Delete(filler); // space is back
        await Eventually(async () => await http.GetStringAsync("v1/catalog/service/doomed") == "[]", "the reaper removes doomed once it can write");
        (await RegisterAsync(http, "refused", "")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually(async () => (await HealthAsync(httpPort)).GetProperty("components").GetProperty("storage").GetProperty("status").GetString() == "healthy",
            "storage health recovers by itself");

        mesh.Terminate();
        (await mesh.WaitAsync(TimeSpan.FromSeconds(15))).ExitCode.ShouldBe(0);
    }

    private static int Port(Dictionary<string, string?> environment, string name) => int.Parse(environment[name]!, CultureInfo.InvariantCulture);

    private static Task<HttpResponseMessage> RegisterAsync(HttpClient http, string name, string more) =>
        http.PutAsync("v1/agent/service/register", new StringContent($$"""{"Name": "{{name}}", "Port": 9000{{more}}}""", Encoding.UTF8));

    // Writes until the tmpfs refuses: from here on every write of the runtime fails with ENOSPC.
    private static void Fill(string path)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                file.Write(chunk);
                file.Flush(flushToDisk: true);
            }
        }
        catch (IOException)
        {
        }
    }

    private static async Task<System.Text.Json.JsonElement> HealthAsync(int port)
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
        return await response.JsonAsync();
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not within 30 s: {what}");
            await Task.Delay(100);
        }
    }
}
