using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>Raw HTTP to a test host's embedded Consul port, for scenarios that assert Consul's exact statuses and bodies.</summary>
internal sealed class ConsulHttp(MeshTestHost host) : IDisposable
{
    public HttpClient Client { get; } = For(host);

    public static HttpClient For(MeshTestHost host) => new() { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}/") };

    public static async Task<JsonElement> GetJsonAsync(MeshTestHost host, string path)
    {
        using var http = new ConsulHttp(host);
        return await http.GetAsync(path);
    }

    /// <summary>PUT with a body; returns the status and the body as text (Consul's errors are plain text).</summary>
    public static async Task<(HttpStatusCode Status, string Body)> PutAsync(MeshTestHost host, string path, string body = "")
    {
        using var http = new ConsulHttp(host);
        var (status, text, _) = await http.SendAsync(HttpMethod.Put, path, body);
        return (status, text);
    }

    public static async Task<string> NodeNameAsync(MeshTestHost host) =>
        (await GetJsonAsync(host, "v1/agent/self")).GetProperty("Config").GetProperty("NodeName").GetString()!;

    public async Task<(HttpStatusCode Status, string Body, ulong Index)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await Client.SendAsync(request);
        var index = response.Headers.TryGetValues("X-Consul-Index", out var values) ? ulong.Parse(values.First(), CultureInfo.InvariantCulture) : 0;
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim(), index);
    }

    /// <summary>A request that must answer 200, parsed as JSON.</summary>
    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, string? body = null)
    {
        var (status, text, _) = await SendAsync(method, path, body);
        status.ShouldBe(HttpStatusCode.OK, $"{method} {path}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<JsonElement> PutAsync(string path, string? body = null) => JsonAsync(HttpMethod.Put, path, body);

    public Task<JsonElement> GetAsync(string path) => JsonAsync(HttpMethod.Get, path);

    /// <summary>session/create, returning the new session's ID.</summary>
    public async Task<string> CreateSessionAsync(string? body = null) => (await PutAsync("v1/session/create", body)).GetProperty("ID").GetString()!;

    public void Dispose() => Client.Dispose();
}
