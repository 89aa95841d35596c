using ServiceMesh.Build.Compose;
using ServiceMesh.Build.Image;

namespace ServiceMesh.Build.Tests.Image;

public sealed class ImageBuilderCommandTests
{
    private static readonly ImageBuildRequest Request = new("/work/context.tar", ImagePlatform.LinuxArm64,
        [new("VERSION", "1.2.3"), new("VCS_REF", "abc")], ["img:1.2.3-arm64", "img:latest-arm64"]);

    [Theory]
    [InlineData(nameof(ImageBuilderKind.Buildx), "--load")]
    [InlineData(nameof(ImageBuilderKind.BuildKit), "--progress")]
    [InlineData(nameof(ImageBuilderKind.Classic), "--force-rm")]
    public void Arguments_EachBuilder_BuildsForThePlatformWithoutNetworkFromTheArchiveOnStdin(string builder, string builderSpecific)
    {
        var kind = Enum.Parse<ImageBuilderKind>(builder);
        var command = new ImageBuilderCommand(kind, "docker", kind == ImageBuilderKind.Buildx ? ["buildx", "build"] : ["build"], new Dictionary<string, string?>());

        var args = command.Arguments(Request);

        string.Join(" ", args).ShouldContain("--platform linux/arm64 --file Dockerfile --network none --build-arg VERSION=1.2.3 --build-arg VCS_REF=abc --tag img:1.2.3-arm64 --tag img:latest-arm64");
        args.ShouldContain(builderSpecific);
        args[^1].ShouldBe("-"); // the context is the archive on standard input, never a folder sent by metadata
    }

    [Fact]
    public void ComposeProject_EngineWithoutBridge_RunsTheRenderingWithTheHostNetworkOverrideLast()
    {
        var project = new ComposeProject("lucid-foundation", "/repo/configs", HostNetwork: true, "/repo/artifacts/compose/docker-compose.rendered.yml");

        project.Files.ShouldBe(["/repo/artifacts/compose/docker-compose.rendered.yml", "/repo/configs/docker/docker-compose.host-network.yml"]);
        project.GlobalArguments.Take(4).ShouldBe(["--project-name", "lucid-foundation", "--env-file", "/repo/configs/environment/.env.service-mesh"]);
        project.Platform.Files.Select(Path.GetFileName).ShouldBe(["docker-compose.foundation.yml", "docker-compose.core.yml"]);
    }

    [Fact]
    public void ComposeProject_EngineWithBridge_UsesOnlyThePlatformFiles()
    {
        new ComposeProject("lucid-foundation", "/repo/configs", HostNetwork: false).Files.Select(Path.GetFileName).ShouldBe(["docker-compose.foundation.yml", "docker-compose.core.yml"]);
    }

    [Fact]
    public void WithoutNetworks_RenderedPlatformFiles_DropsNetworksAndPortsKeepsTheRest()
    {
        const string rendered = """
            networks:
              lucid-pi-network:
                external: true
                name: lucid-pi-network
            services:
              service-mesh:
                environment:
                  SERVICE_MESH_HOST: 0.0.0.0
                image: pickme/lucid-service-mesh:latest-arm64
                networks:
                  lucid-pi-network: {}
                ports:
                - published: 8088
                  target: 8088
                volumes:
                - /mnt/myssd/Lucid/Lucid/data/service-mesh/data:/app/data:rw
            version: '3.8'
            """;

        var result = HostNetworkRendering.WithoutNetworks(rendered);

        result.ShouldNotContain("networks");
        result.ShouldNotContain("published");
        result.ShouldContain("SERVICE_MESH_HOST: 0.0.0.0");
        result.ShouldContain("image: pickme/lucid-service-mesh:latest-arm64");
        result.ShouldContain("/mnt/myssd/Lucid/Lucid/data/service-mesh/data:/app/data:rw");
        result.ShouldContain("version: '3.8'");
    }
}
