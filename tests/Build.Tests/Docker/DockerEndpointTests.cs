using ServiceMesh.Build.Docker;
using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Tests.Docker;

public sealed class DockerEndpointTests
{
    [Fact]
    public void FromEnvironment_NoDockerHost_UsesTheDefaultSocket()
    {
        var endpoint = DockerEndpoint.FromEnvironment(new Dictionary<string, string>());

        endpoint.SocketPath.ShouldBe("/var/run/docker.sock");
    }

    [Fact]
    public void FromEnvironment_UnixDockerHost_UsesThatSocket()
    {
        var endpoint = DockerEndpoint.FromEnvironment(new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///run/user/1000/docker.sock" });

        endpoint.SocketPath.ShouldBe("/run/user/1000/docker.sock");
    }

    [Fact]
    public void FromEnvironment_TcpDockerHost_FailsSayingOnlyLocalEnginesAreUsed()
    {
        var failure = Should.Throw<BuildFailureException>(() => DockerEndpoint.FromEnvironment(new Dictionary<string, string> { ["DOCKER_HOST"] = "tcp://10.0.0.5:2375" }));

        failure.Message.ShouldContain("local engine only");
    }

    [Fact]
    public async Task AnswersAsync_SocketFileMissing_IsFalseWithoutWaiting()
    {
        var endpoint = new DockerEndpoint(new Uri("unix:///nonexistent/docker.sock"));

        (await DockerClients.AnswersAsync(endpoint, CancellationToken.None)).ShouldBeFalse();
    }

    [Fact]
    public void ManualSteps_ForAMachineWithoutEngine_NameTheIsolationSettingsAndTheDeadProxy()
    {
        var steps = EngineRequirements.ManualSteps(EngineRequirements.EnginePackages);

        steps.ShouldContain("apt-get install -y --no-install-recommends docker.io qemu-user-static binfmt-support docker-compose");
        steps.ShouldContain("\"bridge\":\"none\"");
        steps.ShouldContain("\"iptables\":false");
        steps.ShouldContain("HTTP_PROXY=http://127.0.0.1:9");
    }
}
