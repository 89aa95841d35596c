using System.Text;
using System.Text.Json;
using ServiceMesh.Tests.Support;
using Xunit.Abstractions;

namespace ServiceMesh.Tests.Api;

/// <summary>
/// Every mutating route of both APIs (Consul on 8500, Lucid on 8088), driven with a table of hostile bodies against a
/// real host: each answer is a 4xx (never a 5xx, never a 2xx) and the catalog, KV, certificates and sidecar
/// registrations read the same before and after.
/// </summary>
public sealed class HostileBodyFuzzTests(ITestOutputHelper output)
{
    private const string ConsulService = """{"Name":"fuzzed","Port":8080,"Tags":["a"],"Meta":{"k":"v"},"Checks":[{"TTL":"30s"}]}""";
    private const string LucidService = """{"service_name":"fuzzed","service_address":"127.0.0.1","service_port":8080,"tags":["a"]}""";
    private const string EnvoyService = """{"service_address":"127.0.0.1","service_port":8080,"upstreams":[{"name":"seed","local_bind_port":9001}],"protocol":"http"}""";

    private sealed record Route(string Api, HttpMethod Method, string Path, IReadOnlyList<HostileBody> Bodies, string? ValidBody = null)
    {
        public override string ToString() => $"{Method} {Path} ({Api})";
    }

    private static IReadOnlyList<Route> Routes() =>
    [
        // Routes that read a JSON body: the shapes, and the model's fields made hostile one at a time.
        new("consul", HttpMethod.Put, "/v1/agent/service/register", [.. HostileBodies.Shapes(ConsulService), .. HostileBodies.Mutations(ConsulService,
            ("Tags", "[null]"), ("Meta", """{"k":null}"""), ("Checks", "[null]"), ("Check", "[]"), ("Name", "null"), ("Name", "{}"), ("Port", "\"80\""),
            ("Port", "1e40"), ("Port", "null"), ("Tags", "\"a\""), ("Tags", "[1]"), ("Meta", "[]"), ("Meta", """{"k":{"x":1}}"""), ("Checks", "[{\"TTL\":5}]"),
            ("Checks", "[[]]"), ("Checks", "{}"))], ConsulService),
        new("lucid", HttpMethod.Post, "/services/register", [.. HostileBodies.Shapes(LucidService), .. HostileBodies.Mutations(LucidService,
            ("tags", "[null]"), ("tags", "[1]"), ("tags", "\"a\""), ("tags", "{}"), ("service_name", "null"), ("service_name", "5"), ("service_port", "\"x\""),
            ("service_port", "1e40"), ("service_address", "[]"), ("health_check_url", "{}"))], LucidService),
        new("lucid", HttpMethod.Post, "/envoy/configs/fuzzed", [.. HostileBodies.Shapes(EnvoyService), .. HostileBodies.Mutations(EnvoyService,
            ("upstreams", "[null]"), ("upstreams", "[[]]"), ("upstreams", "\"seed\""), ("upstreams", """[{"name":null,"local_bind_port":9001}]"""),
            ("upstreams", """[{"name":"seed","local_bind_port":"x"}]"""), ("service_port", "\"x\""), ("service_address", "{}"), ("protocol", "5"),
            ("public_port", "[]"))], EnvoyService),
        // Routes that read no body, on targets that do not exist: whatever the body, the answer is their 404, not a 5xx.
        new("consul", HttpMethod.Put, "/v1/agent/service/deregister/no-such-service", HostileBodies.ForBodylessRoutes),
        new("consul", HttpMethod.Put, "/v1/agent/check/pass/no-such-check", HostileBodies.ForBodylessRoutes),
        new("consul", HttpMethod.Put, "/v1/agent/check/warn/no-such-check", HostileBodies.ForBodylessRoutes),
        new("consul", HttpMethod.Put, "/v1/agent/check/fail/no-such-check", HostileBodies.ForBodylessRoutes),
        new("lucid", HttpMethod.Delete, "/services/no-such-service", HostileBodies.ForBodylessRoutes),
        new("lucid", HttpMethod.Delete, "/envoy/configs/no-such-service", HostileBodies.ForBodylessRoutes),
        new("lucid", HttpMethod.Delete, "/certificates/no-such-service", HostileBodies.ForBodylessRoutes),
        // A KV value is any bytes (as in Consul), so only its size can be wrong; routes that act without reading a body
        // (issue, rotate, KV delete) are held to the declared size limit, which stops them before they run.
        new("consul", HttpMethod.Put, "/v1/kv/fuzzed", HostileBodies.Shapes("{}").Where(b => b.Name.StartsWith("10 MB", StringComparison.Ordinal)).ToList()),
        new("consul", HttpMethod.Delete, "/v1/kv/seed", HostileBodies.Declared10Mb),
        new("lucid", HttpMethod.Post, "/certificates/fuzzed", HostileBodies.Declared10Mb),
        new("lucid", HttpMethod.Post, "/certificates/ca/rotate", HostileBodies.Declared10Mb),
    ];

    [Fact]
    public async Task MutatingRoutes_HostileBodies_4xxAndStateUnchanged()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}") };
        await SeedAsync(host, consul);
        var before = await StateAsync(host, consul);

        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var sent = 0;
        foreach (var route in Routes())
        {
            foreach (var body in route.Bodies)
            {
                sent++;
                var (status, text) = body.Oversized is var (bytes, chunked)
                    ? await RawHttp.SendAsync(route.Api == "consul" ? host.Options.EmbeddedConsulHttpPort : host.Options.HttpPort, route.Method.Method, route.Path, bytes, chunked)
                    : await SendAsync(route.Api == "consul" ? consul : host.Client, route.Method, route.Path, body.Content());
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status is < 400 or >= 500)
                {
                    failures.Add($"{route} with {body}: {status} {(text.Length > 300 ? text[..300] : text)}");
                }
            }
        }
        output.WriteLine($"{Routes().Count} routes, {sent} hostile requests, {failures.Count} not answered with a 4xx; by status: "
            + string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        failures.ShouldBeEmpty();
        (await StateAsync(host, consul)).ShouldBe(before, "no hostile body changed the catalog, KV, certificates or sidecar registrations");
        // The driver reaches real routes: their valid bodies are accepted, and change the state.
        foreach (var route in Routes().Where(r => r.ValidBody is not null))
        {
            (await SendAsync(route.Api == "consul" ? consul : host.Client, route.Method, route.Path, Json(route.ValidBody!))).Status.ShouldBeInRange(200, 299, route.ToString());
        }

        (await StateAsync(host, consul)).ShouldNotBe(before);
    }

    [Theory]
    [InlineData("consul", "/v1/agent/service/register", """{"Name":"web","Port":80,"Tags":[null]}""", "Tags[0]")]
    [InlineData("consul", "/v1/agent/service/register", """{"Name":"web","Port":80,"Meta":{"k":null}}""", "Meta.k")]
    [InlineData("consul", "/v1/agent/service/register", """{"Name":"web","Port":80,"Checks":[{"TTL":"30s"},null]}""", "Checks[1]")]
    [InlineData("consul", "/v1/agent/service/register", """{"Name":"web","Port":"80"}""", "Port")]
    [InlineData("lucid", "/services/register", """{"service_name":"web","service_address":"127.0.0.1","service_port":80,"tags":["a",null]}""", "tags[1]")]
    [InlineData("lucid", "/envoy/configs/web", """{"service_address":"127.0.0.1","service_port":80,"upstreams":[null]}""", "upstreams[0]")]
    public async Task Register_NullOrWrongTypedField_4xxInItsApiStyleNamingTheField(string api, string path, string body, string field)
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}") };
        var method = path.StartsWith("/v1/", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post;

        var (status, text) = await SendAsync(api == "consul" ? consul : host.Client, method, path, Json(body));

        status.ShouldBe(api == "consul" ? 400 : 422, "Consul answers 400, the Lucid API 422 as the earlier FastAPI one did");
        if (api == "consul")
        {
            text.ShouldStartWith($"Request decode failed: {field}: ", Case.Sensitive, "Consul's plain-text error");
        }
        else
        {
            JsonDocument.Parse(text).RootElement.GetProperty("summary").GetString()!.ShouldContain($"{field}: ");
        }
    }

    private static async Task SeedAsync(MeshTestHost host, HttpClient consul)
    {
        (await consul.PutAsync(new Uri("/v1/agent/service/register", UriKind.Relative), Json("""{"Name":"seed","ID":"seed-1","Port":9000,"Tags":["x"],"Meta":{"k":"v"}}"""))).EnsureSuccessStatusCode();
        (await consul.PutAsync(new Uri("/v1/kv/seed", UriKind.Relative), new StringContent("value"))).EnsureSuccessStatusCode();
        (await host.Client.PostAsync(new Uri("/certificates/seed", UriKind.Relative), null)).EnsureSuccessStatusCode();
        (await host.Client.PostAsync(new Uri("/envoy/configs/seed", UriKind.Relative), Json("""{"service_address":"127.0.0.1","service_port":9000}"""))).EnsureSuccessStatusCode();
    }

    /// <summary>What a hostile body could change, read through the APIs: catalog and KV (with their indexes), certificates, sidecars.</summary>
    private static async Task<string> StateAsync(MeshTestHost host, HttpClient consul)
    {
        var state = new StringBuilder();
        foreach (var path in new[] { "/v1/agent/services", "/v1/catalog/services", "/v1/kv/?recurse" })
        {
            using var response = await consul.GetAsync(new Uri(path, UriKind.Relative));
            var index = response.Headers.TryGetValues("X-Consul-Index", out var values) ? values.Single() : "-";
            state.AppendLine($"{path} {index} {await response.Content.ReadAsStringAsync()}");
        }
        foreach (var path in new[] { "/services", "/certificates" })
        {
            state.AppendLine($"{path} {await host.Client.GetStringAsync(new Uri(path, UriKind.Relative))}");
        }
        // Only the list: generated_at moves with the periodic disk check, which is not a change of registrations.
        var envoy = JsonDocument.Parse(await host.Client.GetStringAsync(new Uri("/envoy/configs", UriKind.Relative)));
        state.AppendLine($"/envoy/configs {envoy.RootElement.GetProperty("services").GetRawText()}");
        return state.ToString();
    }

    private static async Task<(int Status, string Text)> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        try
        {
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, text);
        }
        catch (HttpRequestException e)
        {
            return (0, $"no answer: {e.Message}");
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
