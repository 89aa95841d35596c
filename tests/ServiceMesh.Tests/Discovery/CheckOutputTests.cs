using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery;

/// <summary>What an HTTP check follows and what its Output shows on the open GET /v1/health/service/:name.</summary>
public sealed class CheckOutputTests
{
    [Fact]
    public async Task HttpCheck_TargetRedirects_NotFollowedByDefault()
    {
        await using var target = await CheckTargetServer.StartAsync();
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        await consul.RegisterAsync(Service("moved", target.Port, check: HttpCheck(target.Url("/redirect")) with { Status = HealthStatuses.Passing }), default);

        var check = await EventuallyCheckAsync(consul, "moved", HealthStatuses.Critical, "a 302 is an answer, not a hop");
        check.Output.ShouldContain("302");
        target.Paths.ShouldNotContain("/health", "the redirect's target was never asked");
    }

    [Fact]
    public async Task HttpCheck_FollowRedirectsTrue_FollowsToTheAnswer()
    {
        await using var target = await CheckTargetServer.StartAsync();
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        await consul.RegisterAsync(Service("moved", target.Port, check: HttpCheck(target.Url("/redirect")) with { FollowRedirects = true }), default);

        var check = await EventuallyCheckAsync(consul, "moved", HealthStatuses.Passing, "redirect followed to /health");
        check.Output.ShouldContain("200");
        check.Output.ShouldEndWith("Output: ok");
    }

    [Fact]
    public async Task HttpCheck_DisableRedirectsFalse_StillNotFollowed()
    {
        // Consul clients send DisableRedirects:false when nobody set it, so only FollowRedirects:true opts in.
        await using var target = await CheckTargetServer.StartAsync();
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        await consul.RegisterAsync(Service("moved", target.Port, check: HttpCheck(target.Url("/redirect")) with { DisableRedirects = false }), default);

        (await EventuallyCheckAsync(consul, "moved", HealthStatuses.Critical, "302 not followed")).Output.ShouldContain("302");
    }

    [Fact]
    public async Task HttpCheck_UserInfoInUrl_NeverInOutputButSentToTheTarget()
    {
        await using var target = await CheckTargetServer.StartAsync();
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);
        var url = $"http://probe:s3cr3t-pass@127.0.0.1:{target.Port}/health";

        await consul.RegisterAsync(Service("guarded", target.Port, check: HttpCheck(url)), default);

        var check = await EventuallyCheckAsync(consul, "guarded", HealthStatuses.Passing, "200 with credentials");
        check.Output.ShouldContain($"http://127.0.0.1:{target.Port}/health");
        check.Output.ShouldNotContain("s3cr3t-pass");
        check.Output.ShouldNotContain("probe:");
        target.Authorization["/health"].ShouldBe("Basic " + Convert.ToBase64String("probe:s3cr3t-pass"u8.ToArray()), "the URL's own host gets them, as from Consul");
    }

    [Fact]
    public async Task HttpCheck_UserInfoAndFollowedRedirect_CredentialsNotSentToTheNextHop()
    {
        await using var target = await CheckTargetServer.StartAsync();
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        await consul.RegisterAsync(Service("hop", target.Port, check: HttpCheck($"http://probe:s3cr3t-pass@127.0.0.1:{target.Port}/redirect") with { FollowRedirects = true }), default);

        var check = await EventuallyCheckAsync(consul, "hop", HealthStatuses.Passing, "redirect followed");
        check.Output.ShouldNotContain("s3cr3t-pass");
        target.Authorization["/redirect"].ShouldStartWith("Basic ", customMessage: "the URL's own host gets them");
        target.Authorization["/health"].ShouldBeEmpty("the hop after a redirect gets no credentials");
    }

    [Fact]
    public async Task HttpCheck_LongBody_OutputIsStatusLinePlus256Bytes()
    {
        await using var target = await CheckTargetServer.StartAsync();
        await using var host = await MeshTestHost.StartAsync();
        var consul = ConsulClientFor(host);

        await consul.RegisterAsync(Service("chatty", target.Port, check: HttpCheck(target.Url("/big"))), default);

        var check = await EventuallyCheckAsync(consul, "chatty", HealthStatuses.Passing, "200 with a long body");
        check.Output.ShouldStartWith($"HTTP GET {target.Url("/big")}: 200 OK Output: ");
        check.Output.Count(c => c == 'x').ShouldBe(256);
        check.Output.ShouldEndWith("[truncated]");
    }

    internal static AgentServiceCheck HttpCheck(string url) => new() { Http = url, Interval = "100ms", Timeout = "30s" };

    internal static async Task<HealthCheck> EventuallyCheckAsync(ConsulClient consul, string service, string status, string what)
    {
        HealthCheck? last = null;
        await EventuallyAsync(async () =>
        {
            last = (await consul.HealthServiceAsync(service, false, null, default)).Value.SingleOrDefault()?.Checks.SingleOrDefault();
            return last?.Status == status && last.Output.Length > 0;
        }, what);
        return last!;
    }
}
