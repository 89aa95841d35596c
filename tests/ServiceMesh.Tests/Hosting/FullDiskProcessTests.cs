using System.Globalization;
using System.Net;
using System.Text;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Hosting;

/// <summary>
/// The scenario on a real full disk: DATA_PATH on a 512 KB tmpfs in the child's mount namespace (`unshare -m`,
/// as <see cref="ReadOnlyMountTests"/>), filled via /proc/&lt;pid&gt;/root. The process runs on, refuses writes (503,
/// with the reason), shows storage unhealthy, and takes writes again once space is back. The reaper's retries on a full
/// disk are RegistryFaultTests' (in-process, on a fake clock: Consul's reaper waits a minute and passes every 30 s).
/// </summary>
public sealed class FullDiskProcessTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_DataPathFillsUp_KeepsRunningRefusesWritesWith503ThenTakesWritesOnceSpaceIsBack()
    {
        var environment = MeshEnvironment.For(_folder);
        var data = environment["DATA_PATH"]!;
        Directory.CreateDirectory(data);
        int httpPort = Port(environment, "HTTP_PORT"), consulPort = Port(environment, "EMBEDDED_CONSUL_HTTP_PORT");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{consulPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        using var mesh = MeshProcess.StartOnSmallDisk(environment, data, "512k");
        await HttpWaits.WaitForListeningAsync(consulPort, mesh, TimeSpan.FromSeconds(60));
        (await HttpWaits.WaitForHealthyAsync(httpPort, TimeSpan.FromSeconds(60))).ShouldBe(HttpStatusCode.OK);
        (await RegisterAsync(http, "kept", "")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var filler = mesh.InNamespace(Path.Combine(data, "filler"));
        Fill(filler);
        // The log's last page still has room for a few records (written and durable, rightly acknowledged): put the
        // smallest record there is, an empty KV value, until the disk refuses one.
        var (refusedKey, reason) = await PutUntilRefusedAsync(http);
        reason.ShouldContain("No space left on device");
        (await http.GetAsync($"v1/kv/{refusedKey}")).StatusCode.ShouldBe(HttpStatusCode.NotFound); // refused: never visible
        using (var register = await RegisterAsync(http, "refused", ""))
        {
            register.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        }

        (await http.GetStringAsync("v1/catalog/service/refused")).ShouldBe("[]");

        mesh.HasExited.ShouldBeFalse("refused writes must not stop the process");
        var health = await HealthAsync(httpPort);
        health.GetProperty("components").GetProperty("storage").GetProperty("status").GetString().ShouldBe("unhealthy", health.ToString());
        health.GetProperty("components").GetProperty("storage").GetProperty("detail").GetString()!.ShouldContain(data);
        (await http.GetStringAsync("v1/catalog/service/kept")).ShouldContain("\"kept\""); // written before the disk filled up

        File.Delete(filler); // space is back
        (await RegisterAsync(http, "refused", "")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.PutAsync($"v1/kv/{refusedKey}", new StringContent(""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually(async () => (await HealthAsync(httpPort)).GetProperty("components").GetProperty("storage").GetProperty("status").GetString() == "healthy",
            "storage health recovers once writes succeed");

        mesh.Terminate();
        (await mesh.WaitAsync(TimeSpan.FromSeconds(15))).ExitCode.ShouldBe(0);
    }

    private static int Port(Dictionary<string, string?> environment, string name) => int.Parse(environment[name]!, CultureInfo.InvariantCulture);

    private static Task<HttpResponseMessage> RegisterAsync(HttpClient http, string name, string more) =>
        http.PutAsync("v1/agent/service/register", new StringContent($$"""{"Name": "{{name}}", "Port": 9000{{more}}}""", Encoding.UTF8));

    private static async Task<(string Key, string Reason)> PutUntilRefusedAsync(HttpClient http)
    {
        for (var i = 0; i < 1000; i++)
        {
            var key = $"f{i}";
            using var response = await http.PutAsync($"v1/kv/{key}", new StringContent(""));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
                return (key, await response.Content.ReadAsStringAsync());
            }
        }
        throw new InvalidOperationException("1,000 KV puts were accepted on a full 512 KB disk");
    }

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
            {
                throw new TimeoutException($"not within 30 s: {what}");
            }

            await Task.Delay(100);
        }
    }
}
