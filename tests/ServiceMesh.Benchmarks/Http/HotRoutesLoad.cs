using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace ServiceMesh.Benchmarks.Http;

/// <summary>
/// Issue #13 item 7: closed-loop load on the hot routes like <c>wrk -t1 -c16 -d10s</c> (N keep-alive connections, next
/// request once the answer is read); requests/s, p50/p99 per route. Against its own mesh (real Kestrel, fsync'd
/// DATA_PATH) or any server by URL, to compare side by side. Usage: README "Benchmark"; a bad option prints them all.
/// </summary>
internal static class HotRoutesLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = LoadOptions.Parse(args);
        if (options is null)
        {
            return 64;
        }

        await using var self = options.Api is null ? await SelfHostedMesh.StartAsync() : null;
        var api = options.Api ?? self!.Api;
        var consul = options.Consul ?? self?.Consul;
        Console.WriteLine($"// {options.Label}: api {api}, consul {consul?.ToString() ?? "(none)"}; {options.Connections} connections, "
            + $"{options.Duration.TotalSeconds:0} s per route after {options.Warmup.TotalSeconds:0} s warm-up; {Environment.ProcessorCount} cores"
            + (self is null ? "" : $"; in-process mesh, DATA_PATH {self.DataPath}"));
        using var client = NewClient(options.Connections);
        if (consul is not null && options.Routes.Contains("consul-health"))
        {
            await SendOnceAsync(client, Routes.ConsulRegister(consul, 0, 0)); // GET /v1/health/service/x answers one instance
        }

        Console.WriteLine("| route | target | requests/s | p50 ms | p99 ms | errors |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var route in options.Routes)
        {
            Func<int, long, HttpRequestMessage>? request = route switch
            {
                "health" => (_, _) => new HttpRequestMessage(HttpMethod.Get, new Uri(api, "/health")),
                "metrics" => (_, _) => new HttpRequestMessage(HttpMethod.Get, new Uri(api, "/metrics")),
                "register" => (worker, n) => Routes.LucidRegister(api, worker, n),
                "consul-register" when consul is not null => (worker, n) => Routes.ConsulRegister(consul, worker, n),
                "consul-health" when consul is not null => (_, _) => new HttpRequestMessage(HttpMethod.Get, new Uri(consul, "/v1/health/service/x")),
                _ => null,
            };
            if (request is null)
            {
                Console.WriteLine($"| {Routes.Title(route)} | {options.Label} | — | — | — | not served |");
                continue;
            }
            await MeasureAsync(client, request, options.Connections, options.Warmup); // warm-up: JIT, pools, caches
            var result = await MeasureAsync(client, request, options.Connections, options.Duration);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Routes.Title(route)} | {options.Label} | {result.PerSecond:0} | {result.P50:0.00} | {result.P99:0.00} | {result.Errors}{(result.FirstError is null ? "" : $" ({result.FirstError})")} |"));
        }
        return 0;
    }

    private sealed record Result(double PerSecond, double P50, double P99, long Errors, string? FirstError);

    private static async Task<Result> MeasureAsync(HttpClient client, Func<int, long, HttpRequestMessage> request, int connections, TimeSpan duration)
    {
        var latencies = new List<long>[connections];
        long errors = 0;
        string? firstError = null;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<long>(65536);
            var buffer = new byte[64 * 1024];
            for (long n = 0; Stopwatch.GetTimestamp() < end; n++)
            {
                var sent = Stopwatch.GetTimestamp();
                using var message = request(worker, n);
                using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                await using (var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                {
                    while (await body.ReadAsync(buffer).ConfigureAwait(false) > 0) { }
                }

                mine.Add(Stopwatch.GetTimestamp() - sent);
                if (!response.IsSuccessStatusCode && Interlocked.Increment(ref errors) == 1)
                {
                    firstError = $"{(int)response.StatusCode}";
                }
            }
        }))).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Ms(double p) => all.Length == 0 ? 0 : all[Math.Max(0, (int)Math.Ceiling(p * all.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return new Result(all.Length / elapsed, Ms(0.50), Ms(0.99), errors, firstError);
    }

    private static HttpClient NewClient(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections, UseCookies = false, UseProxy = false, AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None, PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    }) { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task SendOnceAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        using (var response = await client.SendAsync(request).ConfigureAwait(false))
        {
            response.EnsureSuccessStatusCode();
        }
    }

    private static class Routes
    {
        // 1,000 distinct instances, re-registered over and over: every request is a durable write, the registry stays its size.
        public static HttpRequestMessage LucidRegister(Uri api, int worker, long n) => Json(HttpMethod.Post, new Uri(api, "/services/register"),
            $$"""{"service_name":"load-{{Slot(worker, n) % 200}}","service_address":"127.0.0.1","service_port":{{10000 + Slot(worker, n) / 200}},"tags":["load"]}""");

        public static HttpRequestMessage ConsulRegister(Uri consul, int worker, long n) => Json(HttpMethod.Put, new Uri(consul, "/v1/agent/service/register"),
            n == 0 && worker == 0 ? """{"ID":"x-1","Name":"x","Address":"127.0.0.1","Port":9000,"Tags":["load"]}"""
            : $$"""{"ID":"consul-load-{{Slot(worker, n)}}","Name":"consul-load-{{Slot(worker, n) % 200}}","Address":"127.0.0.1","Port":{{10000 + Slot(worker, n) / 200}},"Tags":["load"]}""");

        public static string Title(string route) => route switch
        {
            "health" => "GET /health",
            "metrics" => "GET /metrics",
            "register" => "POST /services/register",
            "consul-register" => "PUT /v1/agent/service/register",
            "consul-health" => "GET /v1/health/service/x",
            _ => route,
        };

        private static long Slot(int worker, long n) => (worker * 7919 + n) % 1000;

        private static HttpRequestMessage Json(HttpMethod method, Uri uri, string body) =>
            new(method, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }

    private sealed record LoadOptions(Uri? Api, Uri? Consul, string Label, int Connections, TimeSpan Duration, TimeSpan Warmup, IReadOnlyList<string> Routes)
    {
        private static readonly string[] AllRoutes = ["health", "metrics", "register", "consul-register", "consul-health"];

        public static LoadOptions? Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                values[args[i]] = args[i + 1];
            }

            var unknown = values.Keys.Except(["--api", "--consul", "--label", "--connections", "--seconds", "--warmup", "--routes"]).ToList();
            var routes = values.TryGetValue("--routes", out var list) ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : AllRoutes;
            if (unknown.Count > 0 || args.Length % 2 != 0 || routes.Except(AllRoutes).Any())
            {
                Console.Error.WriteLine($"load: unknown option or route in '{string.Join(' ', args)}'; options: --api URL --consul URL --label NAME --connections N --seconds S --warmup S --routes {string.Join(',', AllRoutes)}");
                return null;
            }
            return new LoadOptions(
                values.TryGetValue("--api", out var api) ? new Uri(api) : null,
                values.TryGetValue("--consul", out var consul) ? new Uri(consul) : null,
                values.GetValueOrDefault("--label", "this build"),
                int.Parse(values.GetValueOrDefault("--connections", "16"), CultureInfo.InvariantCulture),
                TimeSpan.FromSeconds(double.Parse(values.GetValueOrDefault("--seconds", "10"), CultureInfo.InvariantCulture)),
                TimeSpan.FromSeconds(double.Parse(values.GetValueOrDefault("--warmup", "2"), CultureInfo.InvariantCulture)),
                routes);
        }
    }
}
