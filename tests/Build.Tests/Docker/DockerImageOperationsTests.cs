using Docker.DotNet.Models;
using ServiceMesh.Build.Docker;

namespace ServiceMesh.Build.Tests.Docker;

public sealed class DockerImageOperationsTests
{
    [Fact]
    public void ToFacts_FullConfig_KeepsWhatTheBuildReads()
    {
        var response = new ImageInspectResponse
        {
            ID = "sha256:feed",
            Os = "linux",
            Architecture = "arm64",
            Size = 26_000_000,
            Config = new DockerOCIImageConfig
            {
                User = "65532:65532",
                WorkingDir = "/app",
                Entrypoint = ["/app/service-mesh"],
                Healthcheck = new HealthcheckConfig
                {
                    Test = ["CMD", "/app/service-mesh", "healthcheck"],
                    Interval = TimeSpan.FromSeconds(30),
                    Timeout = TimeSpan.FromSeconds(10),
                    StartPeriod = TimeSpan.FromSeconds(60),
                    Retries = 3,
                },
                ExposedPorts = new Dictionary<string, EmptyStruct> { ["8088/tcp"] = default },
                Env = ["HTTP_PORT=8088"],
                Volumes = new Dictionary<string, EmptyStruct> { ["/app/data"] = default },
                Labels = new Dictionary<string, string> { ["org.opencontainers.image.version"] = "1.2.3" },
            },
        };

        var facts = DockerImageOperations.ToFacts(response);

        (facts.Id, facts.Os, facts.Architecture, facts.Size, facts.User, facts.WorkingDirectory)
            .ShouldBe(("sha256:feed", "linux", "arm64", 26_000_000L, "65532:65532", "/app"));
        facts.Entrypoint.ShouldBe(["/app/service-mesh"]);
        facts.Healthcheck.ShouldNotBeNull();
        facts.Healthcheck.Test.ShouldBe(["CMD", "/app/service-mesh", "healthcheck"]);
        (facts.Healthcheck.Interval, facts.Healthcheck.Timeout, facts.Healthcheck.StartPeriod, facts.Healthcheck.Retries)
            .ShouldBe((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), 3));
        facts.ExposedPorts.ShouldBe(["8088/tcp"]);
        facts.Environment.ShouldBe(["HTTP_PORT=8088"]);
        facts.Volumes.ShouldBe(["/app/data"]);
        facts.Labels.ShouldBe(new Dictionary<string, string> { ["org.opencontainers.image.version"] = "1.2.3" });
    }

    [Fact]
    public void ToFacts_NoConfig_GivesEmptyValuesAndNoHealthcheck()
    {
        var facts = DockerImageOperations.ToFacts(new ImageInspectResponse { ID = "sha256:feed", Size = 1 });

        (facts.Os, facts.Architecture, facts.User, facts.WorkingDirectory).ShouldBe(("", "", "", ""));
        facts.Entrypoint.ShouldBeEmpty();
        facts.Healthcheck.ShouldBeNull();
        facts.ExposedPorts.ShouldBeEmpty();
        facts.Environment.ShouldBeEmpty();
        facts.Volumes.ShouldBeEmpty();
        facts.Labels.ShouldBeEmpty();
    }

    [Fact]
    public void ToFacts_HealthcheckWithoutTest_IsNoHealthcheck()
    {
        var response = new ImageInspectResponse { ID = "sha256:feed", Config = new DockerOCIImageConfig { Healthcheck = new HealthcheckConfig { Test = [] } } };

        DockerImageOperations.ToFacts(response).Healthcheck.ShouldBeNull();
    }
}
