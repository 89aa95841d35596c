using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Api;

/// <summary>
/// The earlier (Gen A, FastAPI) callers' requests replayed against the real host: each row is named after the earlier
/// route and asserts the status code and every field that API answered with. Ours may add fields, never drop one.
/// A field written "status=registered" must also have that value; fields ending in "_at" must be ISO 8601.
/// </summary>
public sealed partial class EarlierApiCompatibilityTests
{
    private const string Register = """{"service_name":"auth-service","service_address":"127.0.0.1","service_port":8089}""";
    private const string EnvoyBody = """{"service_name":"auth-service","service_address":"127.0.0.1","service_port":8089}""";

    /// <summary>One earlier call: what it sends (after the <paramref name="Given"/> calls) and what it got.</summary>
    public sealed record EarlierCall(
        string Route, string Method, string Path, string? Body, int Status, string[] Fields,
        string? ListOf = null, string[]? ItemFields = null, string[]? Given = null)
    {
        public override string ToString() => Route;
    }

    private static readonly string[] RegisterFirst = [$"POST /services/register {Register}"];
    private static readonly string[] IssueFirst = ["POST /certificates/auth-service"];
    private static readonly string[] GenerateFirst = [$"POST /envoy/configs/auth-service {EnvoyBody}"];
    private static readonly string[] Certificate = ["service_name", "cert_path", "key_path", "created_at", "expires_at"];
    private static readonly string[] EnvoyConfig = ["service_name", "config_path", "service_address", "service_port", "created_at"];

    public static TheoryData<EarlierCall> Calls() =>
    [
        new("POST /services/register", "POST", "/services/register",
            """{"service_name":"auth-service","service_address":"127.0.0.1","service_port":8089,"health_check_url":"http://127.0.0.1:8089/health"}""",
            200, ["status=registered", "service_name=auth-service"]),
        new("POST /services/register (validation error)", "POST", "/services/register", """{"service_name":"auth-service","service_address":"127.0.0.1"}""",
            422, ["detail"]),
        new("GET /services", "GET", "/services", null, 200, ["services", "count"], "services", ["name", "address", "port", "tags"], RegisterFirst),
        new("GET /services/{service_name}", "GET", "/services/auth-service", null, 200, ["address", "port", "service_id", "tags"], Given: RegisterFirst),
        new("GET /services/{service_name} (unknown)", "GET", "/services/nobody", null, 404, ["detail"]),
        new("DELETE /services/{service_name}", "DELETE", "/services/auth-service", null, 200, ["status=deregistered", "service_name=auth-service"], Given: RegisterFirst),
        new("GET /certificates", "GET", "/certificates", null, 200, ["certificates", "count"], "certificates", Certificate, IssueFirst),
        new("POST /certificates/{service_name}", "POST", "/certificates/auth-service", null, 200, ["service_name=auth-service", .. Certificate[1..]]),
        new("GET /certificates/ca", "GET", "/certificates/ca", null, 200, ["ca_certificate"]),
        new("GET /certificates/{service_name}", "GET", "/certificates/auth-service", null, 200, Certificate, Given: IssueFirst),
        new("GET /certificates/{service_name} (unknown)", "GET", "/certificates/nobody", null, 404, ["detail"]),
        new("DELETE /certificates/{service_name}", "DELETE", "/certificates/auth-service", null, 200, ["status=revoked", "service_name=auth-service"], Given: IssueFirst),
        new("GET /envoy/configs", "GET", "/envoy/configs", null, 200, ["configs", "count"], "configs", EnvoyConfig, GenerateFirst),
        new("POST /envoy/configs/{service_name}", "POST", "/envoy/configs/auth-service", EnvoyBody, 200,
            ["status=generated", "service_name=auth-service", "config_path"]),
        new("POST /envoy/configs/{service_name} (validation error)", "POST", "/envoy/configs/auth-service", """{"service_name":"auth-service","service_address":"127.0.0.1"}""",
            422, ["detail"]),
        new("GET /envoy/configs/{service_name}", "GET", "/envoy/configs/auth-service", null, 200, EnvoyConfig, Given: GenerateFirst),
        new("GET /envoy/configs/{service_name}/content", "GET", "/envoy/configs/auth-service/content", null, 200, ["service_name=auth-service", "content"], Given: GenerateFirst),
        new("GET /envoy/configs/{service_name} (unknown)", "GET", "/envoy/configs/nobody", null, 404, ["detail"]),
        new("DELETE /envoy/configs/{service_name}", "DELETE", "/envoy/configs/auth-service", null, 200, ["status=deleted", "service_name=auth-service"], Given: GenerateFirst),
    ];

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task EarlierRoute_ReplayedRequest_EarlierStatusAndFields(EarlierCall call)
    {
        await using var host = await MeshTestHost.StartAsync();
        foreach (var given in call.Given ?? [])
        {
            var parts = given.Split(' ', 3);
            using var setup = await SendAsync(host, parts[0], parts[1], parts.Length > 2 ? parts[2] : null);
            setup.IsSuccessStatusCode.ShouldBeTrue($"{given}: {await setup.Content.ReadAsStringAsync()}");
        }

        using var response = await SendAsync(host, call.Method, call.Path, call.Body);

        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(call.Status, text);
        var body = JsonDocument.Parse(text).RootElement;
        ShouldHaveFields(body, call.Fields, call.Route);
        if (call.ListOf is { } list)
        {
            body.GetProperty(list).GetArrayLength().ShouldBeGreaterThan(0, $"{call.Route}: the given call put an item in '{list}'");
            body.GetProperty("count").GetInt32().ShouldBe(body.GetProperty(list).GetArrayLength());
            foreach (var item in body.GetProperty(list).EnumerateArray())
            {
                ShouldHaveFields(item, call.ItemFields!, $"{call.Route} {list}[]");
            }
        }
        if (call.Status == 422)
        {
            ShouldBeEarlierValidationError(body);
        }
        else if (call.Status >= 400)
        {
            body.GetProperty("detail").ValueKind.ShouldBe(JsonValueKind.String, "handler errors carry a string detail, as FastAPI's HTTPException did");
        }
    }

    // FastAPI's 422: detail is a list of {loc, msg, type}, loc starting with where the value was ("body", "path"); ours keeps the RFC 9457 members too.
    private static void ShouldBeEarlierValidationError(JsonElement body)
    {
        var errors = body.GetProperty("detail");
        errors.ValueKind.ShouldBe(JsonValueKind.Array);
        errors.GetArrayLength().ShouldBeGreaterThan(0);
        foreach (var error in errors.EnumerateArray())
        {
            error.GetProperty("loc")[0].GetString().ShouldBeOneOf("body", "path");
            error.GetProperty("msg").GetString().ShouldNotBeNullOrWhiteSpace();
            error.GetProperty("type").GetString().ShouldNotBeNullOrWhiteSpace();
        }
        (body.GetProperty("status").GetInt32(), body.GetProperty("title").GetString(), body.GetProperty("type").GetString())
            .ShouldSatisfyAllConditions(s => s.Item1.ShouldBe(422), s => s.Item2.ShouldNotBeNullOrEmpty(), s => s.Item3.ShouldNotBeNullOrEmpty());
        body.GetProperty("summary").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    private static void ShouldHaveFields(JsonElement body, IEnumerable<string> fields, string where)
    {
        foreach (var field in fields)
        {
            var (name, value) = field.Split('=') is [var n, var v] ? (n, v) : (field, null);
            body.TryGetProperty(name, out var actual).ShouldBeTrue($"{where}: the earlier API answered with '{name}'; got {body}");
            if (value is not null)
            {
                actual.GetString().ShouldBe(value, $"{where}: {name}");
            }

            if (name.EndsWith("_at", StringComparison.Ordinal))
            {
                Iso8601().IsMatch(actual.GetString()!).ShouldBeTrue($"{where}: {name} '{actual}' is ISO 8601");
            }
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(MeshTestHost host, string method, string path, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await host.Client.SendAsync(request);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Iso8601();
}
