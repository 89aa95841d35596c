using ServiceMesh.Build.Verification;

namespace ServiceMesh.Build.Tests.Verification;

public sealed class RunRuleTests
{
    [Fact]
    public async Task VerifyAsync_Run_IsHardenedLikeProductionOnTheGivenPorts()
    {
        var engine = CompliantImage.Engine();
        var http = CompliantImage.HealthyHttp();

        await CompliantImage.VerifyAsync(engine, http);

        var run = engine.Created[1];
        run.User.ShouldBe("65532:65532");
        run.ReadOnlyRootFilesystem.ShouldBeTrue();
        run.TmpfsFolders.ShouldBe(["/tmp"]);
        run.NetworkMode.ShouldBe("host");
        run.Volumes.Select(v => v.Target).ShouldBe(ImageExpectations.WritableFolders);
        run.Environment["HTTP_PORT"].ShouldBe("18088");
        run.Environment["EMBEDDED_DNS_PORT"].ShouldBe("18600");
        run.Environment["SERVICE_MESH_HOST"].ShouldBe("127.0.0.1");
        run.Healthcheck!.Test.ShouldBe(ImageExpectations.Healthcheck.Test);
        http.Requests.Select(r => $"{r.Method} {r.Url}").ShouldBe([
            "GET http://127.0.0.1:18088/health",
            "POST http://127.0.0.1:18088/certificates/verify-image",
            "DELETE http://127.0.0.1:18088/certificates/verify-image",
            "GET http://127.0.0.1:18088/certificates/ca/crl",
            "GET http://127.0.0.1:18088/certificates/ca",
            "GET https://127.0.0.1:18501/v1/status/leader",
        ]);
        http.Requests[^1].TrustedCaPem.ShouldBe(CompliantImage.Bundle);
    }

    [Fact]
    public async Task VerifyAsync_ContainerBecomesUnhealthy_FailsWithItsLastLogLines()
    {
        var engine = CompliantImage.Engine();
        engine.Runs = spec => spec.ReadOnlyEmptyFolders is { Count: > 0 }
            ? new FakeRun([new("exited", false, 73, null)], "CERTIFICATES_PATH=/app/certificates is not writable: x\n")
            : new FakeRun([CompliantImage.Starting, new("running", true, 0, "unhealthy")], "listening on 0.0.0.0:8088\nunhealthy: storage\n");

        var results = await CompliantImage.VerifyAsync(engine);

        var healthy = results.ShouldFailOnly("run: healthy");
        healthy.Detail.ShouldContain("health 'unhealthy'");
        healthy.Detail.ShouldContain("unhealthy: storage");
        engine.Leftovers.ShouldBeEmpty();
    }

    [Fact]
    public async Task VerifyAsync_ContainerExitsAtStart_FailsWithExitCode()
    {
        var engine = CompliantImage.Engine();
        engine.Runs = spec => new FakeRun([new("exited", false, 78, null)], "configuration error: HTTP_PORT\n");

        var results = await CompliantImage.VerifyAsync(engine);

        results.Single("run: healthy").Detail.ShouldContain("exited with 78");
    }

    [Fact]
    public async Task VerifyAsync_HealthEndpointAnswers503_FailsHttpCheck()
    {
        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(), AnswersOtherwise("/health", new HttpAnswer(503, "{\"status\":\"unhealthy\"}")));

        results.ShouldFailOnly("run: GET /health").Detail.ShouldStartWith("503 from http://127.0.0.1:18088/health");
    }

    [Fact]
    public async Task VerifyAsync_SvidRequestFails_FailsIssueCheck()
    {
        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(), AnswersOtherwise("/certificates/verify-image", new HttpAnswer(500, "{\"detail\":\"the CA cannot sign\"}")));

        results.ShouldFailOnly("run: issues an SVID").Detail.ShouldContain("the CA cannot sign");
        results.ShouldNotContain(r => r.Check == "run: revocation list published", "nothing to revoke");
    }

    [Fact]
    public async Task VerifyAsync_RevocationLeavesNoCrl_FailsRevocationCheck()
    {
        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(),
            AnswersOtherwise("/certificates/ca/crl", new HttpAnswer(404, "{\"detail\":\"No ca.crl\"}")));

        results.ShouldFailOnly("run: revocation list published").Detail.ShouldContain("404 from http://127.0.0.1:18088/certificates/ca/crl");
    }

    [Fact]
    public async Task VerifyAsync_TlsNotTrustedByTheBundle_FailsConsulTlsCheck()
    {
        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(),
            AnswersOtherwise("/v1/status/leader", new HttpAnswer(0, "The SSL connection could not be established")));

        results.ShouldFailOnly("run: Consul API over TLS").Detail.ShouldContain("SSL connection");
    }

    private static FakeHttpProbe AnswersOtherwise(string path, HttpAnswer answer) =>
        new(request => request.Url.AbsolutePath == path ? answer : CompliantImage.HealthyAnswer(request));

    [Fact]
    public async Task VerifyAsync_NonZeroExitOnStop_FailsCleanStop()
    {
        var engine = CompliantImage.Engine();
        var scripted = engine.Runs;
        engine.Runs = spec => scripted(spec) with { ExitCodeAfterStop = 137 };

        var results = await CompliantImage.VerifyAsync(engine);

        results.Single("run: clean stop on SIGTERM").Detail.ShouldBe("exit code 137");
    }

    [Fact]
    public async Task VerifyAsync_PreflightRun_MountsCertificatesReadOnlyAndFindsThePreflightLine()
    {
        var engine = CompliantImage.Engine();

        var results = await CompliantImage.VerifyAsync(engine);

        var preflight = engine.Created[2];
        preflight.ReadOnlyEmptyFolders.ShouldBe(["/app/certificates"]);
        preflight.Volumes.Select(v => v.Target).ShouldNotContain("/app/certificates");
        results.Single("run: refuses a read-only certificates folder").Detail.ShouldContain("exit code 73: storage error: CERTIFICATES_PATH=/app/certificates is not writable");
    }

    [Fact]
    public async Task VerifyAsync_ImageStartsDespiteReadOnlyCertificates_FailsPreflightCheck()
    {
        // An image that starts and crashes later, on its first write, must fail here instead.
        var engine = CompliantImage.Engine();
        engine.Runs = _ => new FakeRun([CompliantImage.Starting, CompliantImage.Healthy]);

        // A short run timeout: the fake container never stops, and polling it with no interval for 30 s only burns a core.
        var results = await CompliantImage.VerifyAsync(engine, expectations: CompliantImage.Expectations with { RunTimeout = TimeSpan.FromMilliseconds(300) });

        results.ShouldFailOnly("run: refuses a read-only certificates folder").Detail.ShouldContain("still running");
    }

    [Fact]
    public async Task VerifyAsync_PreflightExitsWithoutNamingTheFolder_FailsPreflightCheck()
    {
        var engine = CompliantImage.Engine();
        engine.Runs = spec => spec.ReadOnlyEmptyFolders is { Count: > 0 }
            ? new FakeRun([new("exited", false, 134, null)], "Unhandled exception. System.UnauthorizedAccessException\n")
            : new FakeRun([CompliantImage.Healthy]);

        var results = await CompliantImage.VerifyAsync(engine);

        results.ShouldFailOnly("run: refuses a read-only certificates folder").Detail.ShouldContain("no 'CERTIFICATES_PATH=");
    }

    [Fact]
    public async Task VerifyAsync_RunningBinaryReportsAnotherVersion_FailsVersionCheck()
    {
        var http = new FakeHttpProbe(request => request.Url.AbsolutePath == "/health"
            ? new HttpAnswer(200, "{\"status\":\"healthy\",\"version\":\"1.2.2+0123456789ab\"}")
            : CompliantImage.HealthyAnswer(request));

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(), http);

        results.ShouldFailOnly("run: version").Detail.ShouldBe("runs 1.2.2+0123456789ab, expected 1.2.3: the image holds another build's binary");
    }
}
