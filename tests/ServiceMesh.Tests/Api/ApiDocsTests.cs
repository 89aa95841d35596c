using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Api;

/// <summary>GET /openapi.json and GET /docs, generated from the routes the host serves.</summary>
public sealed partial class ApiDocsTests
{
    private static readonly string[] EarlierRoutes =
    [
        "GET /services", "POST /services/register", "GET /services/{name}", "DELETE /services/{name}",
        "GET /certificates", "GET /certificates/ca", "GET /certificates/{svc}", "POST /certificates/{svc}", "DELETE /certificates/{svc}",
        "GET /envoy/configs", "POST /envoy/configs/{svc}", "GET /envoy/configs/{svc}", "GET /envoy/configs/{svc}/content", "DELETE /envoy/configs/{svc}",
        "GET /health", "GET /", "GET /docs", "GET /openapi.json",
    ];

    [Fact]
    public async Task OpenApiJson_Get_ValidDocumentListingEveryServedRoute()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.GetAsync("/openapi.json");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        document.GetProperty("openapi").GetString().ShouldStartWith("3.");
        document.GetProperty("info").GetProperty("version").GetString().ShouldNotBeNullOrEmpty();
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}")).ToHashSet(StringComparer.Ordinal);
        var served = (await (await host.Client.GetAsync("/")).JsonAsync()).GetProperty("endpoints").EnumerateArray()
            .Select(e => $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()}").ToList();
        operations.ShouldBe(served.ToHashSet(StringComparer.Ordinal), ignoreOrder: true);
        foreach (var route in EarlierRoutes)
        {
            operations.ShouldContain(route);
        }

        var ids = document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()).Select(o => o.Value.GetProperty("operationId").GetString()).ToList();
        ids.Distinct(StringComparer.Ordinal).Count().ShouldBe(ids.Count, "operationId is unique per operation");
        document.GetProperty("paths").GetProperty("/certificates/{svc}").GetProperty("post").GetProperty("parameters")[0].GetProperty("in").GetString().ShouldBe("path");
        var register = document.GetProperty("paths").GetProperty("/services/register").GetProperty("post");
        register.GetProperty("security")[0].TryGetProperty("bearer", out _).ShouldBeTrue("a route that needs the token says so");
        register.GetProperty("responses").TryGetProperty("401", out _).ShouldBeTrue();
        document.GetProperty("paths").GetProperty("/services").GetProperty("get").TryGetProperty("security", out _).ShouldBeFalse("reads are open");
    }

    [Fact]
    public async Task Docs_Get_SelfContainedHtmlListingEveryRoute()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.GetAsync("/docs");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldStartWith("<!DOCTYPE html>");
        foreach (var route in EarlierRoutes)
        {
            var (method, path) = (route.Split(' ')[0], route.Split(' ')[1]);
            html.ShouldContain($"<td class=\"m\">{method}</td><td><code>{System.Net.WebUtility.HtmlEncode(path)}</code>");
        }
        ExternalReference().Matches(html).Select(m => m.Value).ShouldBeEmpty("the page works offline: no absolute or protocol-relative src/href");
        html.ShouldNotContain("<script", Case.Insensitive);
        html.ShouldNotContain("@import", Case.Insensitive);
    }

    [GeneratedRegex(@"\b(?:src|href|action)\s*=\s*[""']?\s*(?:[a-z][a-z0-9+.-]*:|//)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
