using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Image;

/// <summary>
/// Finds a builder: <c>docker buildx</c> when the plugin exists; else BuildKit through a CLI that still has it built in
/// (before Docker 23 the CLI itself speaks BuildKit: Debian's /usr/bin/docker 20.10); else the classic builder.
/// </summary>
internal sealed class ImageBuilderSelector
{
    private static readonly string[] CandidateClis = ["docker", "/usr/bin/docker"];

    private readonly ToolRunner _tools;

    public ImageBuilderSelector(ToolRunner tools) => _tools = tools;

    public async Task<ImageBuilderCommand> SelectAsync(ImageBuilderKind wanted, CancellationToken cancellationToken)
    {
        if (wanted is ImageBuilderKind.Auto or ImageBuilderKind.Buildx && await HasBuildxAsync(cancellationToken))
        {
            return new ImageBuilderCommand(ImageBuilderKind.Buildx, "docker", ["buildx", "build"], new Dictionary<string, string?>());
        }

        if (wanted == ImageBuilderKind.Buildx)
        {
            throw new BuildFailureException("--image-builder Buildx was asked for, but 'docker buildx version' fails: the buildx plugin is not installed.");
        }

        if (wanted is ImageBuilderKind.Auto or ImageBuilderKind.BuildKit && await FindBuildKitCliAsync(cancellationToken) is { } cli)
        {
            return new ImageBuilderCommand(ImageBuilderKind.BuildKit, cli, ["build"], new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = "1" });
        }

        if (wanted == ImageBuilderKind.BuildKit)
        {
            throw new BuildFailureException("--image-builder BuildKit was asked for, but no docker CLI here has BuildKit built in (a CLI before 23.0) and buildx is missing.");
        }

        return new ImageBuilderCommand(ImageBuilderKind.Classic, "docker", ["build"], new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = "0" });
    }

    private async Task<bool> HasBuildxAsync(CancellationToken cancellationToken) =>
        await _tools.TryRunAsync("docker", ["buildx", "version"], cancellationToken) is not null;

    private async Task<string?> FindBuildKitCliAsync(CancellationToken cancellationToken)
    {
        foreach (var cli in CandidateClis)
        {
            var version = await _tools.TryRunAsync(cli, ["version", "--format", "{{.Client.Version}}"], cancellationToken);
            if (version is not null && int.TryParse(version.Split('.')[0], out var major) && major < 23)
            {
                return cli;
            }
        }

        return null;
    }
}
