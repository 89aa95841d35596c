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
    /// <summary>Inside the image's HEALTHCHECK timeout, so a slow answer is reported by us, with the reason, not killed by Docker.</summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(1500);

    /// <summary>The arguments after "healthcheck": none, or <c>--timeout</c> and a duration ("1500ms", "5s"); null and a problem otherwise.</summary>
    public static TimeSpan? ParseTimeout(IReadOnlyList<string> args, out string? problem)
    {
        problem = null;
        if (args.Count == 0)
        {
            return DefaultTimeout;
        }

        if (args is ["--timeout", var text] && GoDuration.TryParse(text, out var timeout) && timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(10))
        {
            return timeout;
        }

        problem = args is ["--timeout", var given]
            ? $"--timeout '{given}': expected a duration from 1ms to 10m, such as 1500ms or 5s"
            : $"unexpected '{string.Join(' ', args)}': the only option is --timeout <duration>";
        return null;
    }

    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> environment, TextWriter output, TimeSpan timeout)
    {
        var configuration = MeshConfiguration.Load(environment);
        if (!configuration.IsValid)
        {
            await output.WriteLineAsync($"unhealthy: invalid configuration: {configuration.Problems[0]}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        var url = new UriBuilder("http", configuration.Options!.LoopbackAddress.ToString(), configuration.Options.HttpPort, "/health").Uri;
        var (healthy, line) = await ProbeAsync(url, timeout).ConfigureAwait(false);
        await output.WriteLineAsync(line).ConfigureAwait(false);
        return healthy ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task<(bool Healthy, string Line)> ProbeAsync(Uri url, TimeSpan timeout)
    {
        // No proxy: HTTP_PROXY in a container's environment must not send a loopback probe elsewhere.
        using var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = timeout, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { Timeout = timeout };
        try
        {
            using var response = await client.GetAsync(url).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            // The server's rule: 503 only when unhealthy. A degraded mesh answers 200 and still serves, so it passes,
            // and the line names why it is degraded (docker inspect shows it).
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (false, $"unhealthy: GET {url} -> {(int)response.StatusCode}{Reasons(body)}");
            }

            return Status(body) == "degraded"
                ? (true, $"degraded: GET {url} -> 200{Reasons(body)}")
                : (true, $"healthy: GET {url} -> 200");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            var reason = e is TaskCanceledException ? $"no answer within {timeout.TotalSeconds} s" : e.Message;
            return (false, $"unhealthy: GET {url} failed: {reason}");
        }
    }

    private static string? Status(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("status", out var status)
                && status.ValueKind == JsonValueKind.String ? status.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Names the components that are not healthy, from the /health body, so `docker inspect` shows why.
    private static string Reasons(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("components", out var components) || components.ValueKind != JsonValueKind.Object)
            {
                return "";
            }

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
