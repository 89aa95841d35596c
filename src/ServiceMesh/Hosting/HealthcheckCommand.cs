using System.Net;
using System.Text.Json;
using ServiceMesh.Configuration;

namespace ServiceMesh.Hosting;

/// <summary>
/// <c>service-mesh healthcheck</c>, the image's HEALTHCHECK (no shell in the image). Reads the same settings as the
/// server so it always probes the address the server bound; deliberately builds no host, so it stays cheap.
/// </summary>
internal static class HealthcheckCommand
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(1500);

    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> environment, TextWriter output)
    {
        var configuration = MeshConfiguration.Load(environment);
        if (!configuration.IsValid)
        {
            await output.WriteLineAsync($"unhealthy: invalid configuration: {configuration.Problems[0]}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        var url = new UriBuilder("http", configuration.Options!.LoopbackAddress.ToString(), configuration.Options.HttpPort, "/health").Uri;
        var (healthy, line) = await ProbeAsync(url).ConfigureAwait(false);
        await output.WriteLineAsync(line).ConfigureAwait(false);
        return healthy ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task<(bool Healthy, string Line)> ProbeAsync(Uri url)
    {
        // No proxy: HTTP_PROXY in a container's environment must not send a loopback probe elsewhere.
        using var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = Timeout, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(url).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK
                ? (true, $"healthy: GET {url} -> 200")
                : (false, $"unhealthy: GET {url} -> {(int)response.StatusCode}{Reasons(body)}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            var reason = e is TaskCanceledException ? $"no answer within {Timeout.TotalSeconds} s" : e.Message;
            return (false, $"unhealthy: GET {url} failed: {reason}");
        }
    }

    // Names the components that are not healthy, from the /health body, so `docker inspect` shows why.
    private static string Reasons(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("components", out var components) || components.ValueKind != JsonValueKind.Object)
                return "";
            var failing = components.EnumerateObject()
                .Where(c => c.Value.TryGetProperty("status", out var s) && s.GetString() != "healthy")
                .Select(c => $"{c.Name}: {(c.Value.TryGetProperty("detail", out var d) ? d.GetString() : "")}");
            var text = string.Join("; ", failing);
            return text.Length == 0 ? "" : $" ({text})";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
