using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Http;

public sealed class ProblemDetailsTests
{
    private static Task<MeshTestHost> StartWithUploadRoute() => MeshTestHost.StartAsync(routes: app =>
        app.MapPost("/test/upload", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            return TypedResults.Ok((await reader.ReadToEndAsync()).Length);
        }));

    private static async Task ShouldBeProblem(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        response.StatusCode.ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var body = await response.JsonAsync();
        body.GetProperty("status").GetInt32().ShouldBe((int)status);
        body.GetProperty("title").GetString().ShouldNotBeNullOrEmpty();
        body.GetProperty("detail").GetString()!.ShouldContain(detailContains);
    }

    [Fact]
    public async Task UnknownRoute_Get_404ProblemPointingAtEndpointList()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.GetAsync("/v1/nothing-here");

        await ShouldBeProblem(response, HttpStatusCode.NotFound, "No route matches GET /v1/nothing-here. GET / lists the endpoints.");
    }

    [Fact]
    public async Task Health_Delete_405ProblemNamingAllowedMethods()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.DeleteAsync("/health");

        await ShouldBeProblem(response, HttpStatusCode.MethodNotAllowed, "/health does not accept DELETE. Allowed: GET.");
        response.Content.Headers.Allow.ShouldContain("GET");
    }

    // Over a plain socket: the server answers 413 before the body is through and stops reading it, which HttpClient
    // reports only as a failed write (a loaded CI machine hit that race).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Body_OverOneMebibyte_413Problem(bool chunked)
    {
        await using var host = await StartWithUploadRoute();

        var (status, text) = await RawHttp.SendAsync(host.Options.HttpPort, "POST", "/test/upload", new byte[chunked ? 2 * 1024 * 1024 : (1024 * 1024) + 1], chunked);

        status.ShouldBe(413, text);
        text.ShouldContain("Content-Type: application/problem+json", Case.Insensitive);
        text.ShouldContain("\"status\":413");
        text.ShouldContain("larger than 1048576 bytes");
    }

    [Fact]
    public async Task Body_ExactlyOneMebibyte_Accepted()
    {
        await using var host = await StartWithUploadRoute();

        using var response = await host.Client.PostAsync("/test/upload", new ByteArrayContent(new byte[1024 * 1024]));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Route_Throws_500ProblemWithTraceId()
    {
        await using var host = await MeshTestHost.StartAsync(routes: app => app.MapGet("/test/boom", string () => throw new InvalidOperationException("boom")));

        using var response = await host.Client.GetAsync("/test/boom");

        await ShouldBeProblem(response, HttpStatusCode.InternalServerError, "the service-mesh log has the details");
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldNotContain("InvalidOperationException", customMessage: body);
    }
}
