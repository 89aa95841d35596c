using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace ServiceMesh.Build.Docker;

/// <summary><see cref="IDockerImageOperations"/> over Docker.DotNet; the caller owns <see cref="DockerClient"/>.</summary>
internal sealed class DockerImageOperations : IDockerImageOperations
{
    private readonly DockerClient _client;

    public DockerImageOperations(DockerClient client) => _client = client;

    public async Task<ImageFacts?> InspectAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            return ToFacts(await _client.Images.InspectImageAsync(reference, cancellationToken));
        }
        catch (DockerApiException e) when (e is DockerImageNotFoundException || e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<bool> ExistsAsync(string reference, CancellationToken cancellationToken) =>
        await InspectAsync(reference, cancellationToken) is not null;

    /// <summary>What the build reads of an inspected image; absent fields become empty, never null.</summary>
    internal static ImageFacts ToFacts(ImageInspectResponse response)
    {
        var config = response.Config ?? new DockerOCIImageConfig();
        var health = config.Healthcheck is { Test.Count: > 0 } h
            ? new HealthcheckFacts(h.Test.ToList(), h.Interval ?? TimeSpan.Zero, h.Timeout ?? TimeSpan.Zero, h.StartPeriod ?? TimeSpan.Zero, (int)(h.Retries ?? 0))
            : null;
        return new ImageFacts(
            response.ID,
            response.Os ?? "",
            response.Architecture ?? "",
            response.Size,
            config.User ?? "",
            config.WorkingDir ?? "",
            config.Entrypoint?.ToList() ?? [],
            health,
            config.ExposedPorts?.Keys.ToList() ?? [],
            config.Env?.ToList() ?? [],
            config.Volumes?.Keys.ToList() ?? [],
            new Dictionary<string, string>(config.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal));
    }
}
