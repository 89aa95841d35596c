using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace ServiceMesh.Build.Docker;

/// <summary><see cref="IContainerEngine"/> over Docker.DotNet (Engine API 1.41, unix socket).</summary>
internal sealed class DockerContainerEngine : IContainerEngine, IDisposable
{
    private readonly DockerClient _client;
    private readonly IDockerImageOperations _images;

    public DockerContainerEngine(DockerEndpoint endpoint)
    {
        _client = DockerClients.Create(endpoint);
        _images = new DockerImageOperations(_client);
    }

    public Task<ImageFacts?> InspectImageAsync(string image, CancellationToken cancellationToken) => _images.InspectAsync(image, cancellationToken);

    public async Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        var parameters = new CreateContainerParameters
        {
            Image = spec.Image,
            User = spec.User ?? "",
            Env = spec.Environment.Select(e => $"{e.Key}={e.Value}").ToList(),
            Healthcheck = spec.Healthcheck is { } h
                ? new HealthcheckConfig { Test = h.Test.ToList(), Interval = h.Interval, Timeout = h.Timeout, StartPeriod = h.StartPeriod, Retries = h.Retries }
                : null,
            HostConfig = new HostConfig
            {
                NetworkMode = spec.NetworkMode,
                ReadonlyRootfs = spec.ReadOnlyRootFilesystem,
                Tmpfs = (spec.TmpfsFolders ?? []).Select(f => (Folder: f, Options: "rw,nosuid,nodev,size=64m"))
                    .Concat((spec.ReadOnlyEmptyFolders ?? []).Select(f => (Folder: f, Options: "ro,nosuid,nodev,size=1m")))
                    .ToDictionary(t => t.Folder, t => t.Options),
                Mounts = spec.Volumes.Select(v => new Mount
                {
                    Type = v.Source is null ? "volume" : "bind",
                    Source = v.Source ?? "",
                    Target = v.Target,
                }).ToList(),
            },
        };
        var response = await _client.Containers.CreateContainerAsync(parameters, cancellationToken);
        return response.ID;
    }

    public async Task<Stream?> ReadArchiveAsync(string containerId, string path, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.Containers.GetArchiveFromContainerAsync(containerId, new ContainerPathStatParameters { Path = path }, statOnly: false, cancellationToken);
            return response.Stream;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken) =>
        _client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken);

    public async Task<ContainerStatus> InspectContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        var state = (await _client.Containers.InspectContainerAsync(containerId, cancellationToken)).State;
        return state is null ? new ContainerStatus("missing", false, -1, null) : new ContainerStatus(state.Status ?? "", state.Running, state.ExitCode, state.Health?.Status, state.Health?.Log?.LastOrDefault()?.Output?.Trim());
    }

    public Task StopContainerAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken) =>
        _client.Containers.StopContainerAsync(containerId, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)grace.TotalSeconds }, cancellationToken);

    public async Task<string> ReadLogsAsync(string containerId, CancellationToken cancellationToken)
    {
        using var stream = await _client.Containers.GetContainerLogsAsync(containerId, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, cancellationToken);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
        return stdout + stderr;
    }

    public async Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // already gone
        }
    }

    public void Dispose() => _client.Dispose();
}
