using ServiceMesh.Build.Docker;

namespace ServiceMesh.Build.Tests.Docker;

public sealed class EngineRequirementsTests
{
    [Fact]
    public void BesideAnsweringEngine_CliAndComposePresent_OnlyEmulationPackages()
    {
        var packages = EngineRequirements.BesideAnsweringEngine(EngineRequirements.EnginePackages, hasDockerCli: true, hasCompose: true);

        packages.ShouldBe(["qemu-user-static", "binfmt-support"], "docker.io would conflict with a Docker CE engine that already answers");
    }

    [Fact]
    public void BesideAnsweringEngine_NoCli_KeepsDockerIoForItsCli()
    {
        var packages = EngineRequirements.BesideAnsweringEngine(EngineRequirements.EnginePackages, hasDockerCli: false, hasCompose: true);

        packages.ShouldContain("docker.io");
        packages.ShouldNotContain("docker-compose");
    }

    [Fact]
    public void BesideAnsweringEngine_NoCompose_AddsDebiansCompose()
    {
        var packages = EngineRequirements.BesideAnsweringEngine(["docker.io", "docker-compose", "gcc-aarch64-linux-gnu"], hasDockerCli: true, hasCompose: false);

        packages.ShouldBe(["docker-compose", "gcc-aarch64-linux-gnu"]);
    }
}
