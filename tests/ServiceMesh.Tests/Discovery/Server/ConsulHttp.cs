using System.Net;
using System.Text;
using System.Text.Json;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>Raw HTTP against a test host's embedded Consul port, for scenarios that check status codes and bodies as sent.</summary>
internal static class ConsulHttp
{
    public static HttpClient For(MeshTestHost host) => new() { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}/") };

    public static async Task<JsonElement> GetJsonAsync(MeshTestHost host, string path)
    {
        using var http = For(host);
        using var response = await http.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET {path}: {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    /// <summary>PUT with a body; returns the status and the body as text (Consul's errors are plain text).</summary>
    public static async Task<(HttpStatusCode Status, string Body)> PutAsync(MeshTestHost host, string path, string body = "")
    {
        using var http = For(host);
        using var response = await http.PutAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<string> NodeNameAsync(MeshTestHost host) =>
        (await GetJsonAsync(host, "v1/agent/self")).GetProperty("Config").GetProperty("NodeName").GetString()!;
}
