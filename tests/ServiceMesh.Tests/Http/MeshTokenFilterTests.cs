using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ServiceMesh.Http;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Http;

public sealed class MeshTokenFilterTests
{
    private const string Token = "0123456789abcdef0123456789abcdef";

    private static Task<MeshTestHost> Start(string? token) => MeshTestHost.StartAsync(
        settings: s => s["SERVICE_MESH_API_TOKEN"] = token,
        routes: app => app.MapPost("/test/services", () => TypedResults.Ok("registered")).RequireMeshToken());

    private static HttpRequestMessage Post(string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/test/services");
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        return request;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token-wrong-token-wrong")]
    [InlineData("Bearer 0123456789abcdef0123456789abcdeX")]
    [InlineData("Basic MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")]
    public async Task MutatingRoute_WithoutRightToken_401Problem(string? authorization)
    {
        await using var host = await Start(Token);

        using var response = await host.Client.SendAsync(Post(authorization));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("SERVICE_MESH_API_TOKEN");
        body.ShouldNotContain(Token);
    }

    [Fact]
    public async Task MutatingRoute_WithRightToken_200()
    {
        await using var host = await Start(Token);

        using var response = await host.Client.SendAsync(Post($"Bearer {Token}"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task MutatingRoute_NoTokenConfigured_Open()
    {
        await using var host = await Start(null);

        using var response = await host.Client.SendAsync(Post(null));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task GetRoutes_TokenConfigured_StayOpen_AndListTokenRequirement()
    {
        await using var host = await Start(Token);

        (await host.Client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var endpoints = (await (await host.Client.GetAsync("/")).JsonAsync()).GetProperty("endpoints").EnumerateArray().ToList();

        endpoints.Single(e => e.GetProperty("path").GetString() == "/test/services").GetProperty("requiresToken").GetBoolean().ShouldBeTrue();
        endpoints.Single(e => e.GetProperty("path").GetString() == "/health").GetProperty("requiresToken").GetBoolean().ShouldBeFalse();
    }
}
