namespace ServiceMesh.Build.Docker;

/// <summary>
/// The few Engine API calls VerifyImage, ComposeUp and the config seeder need, so every verification rule can be tested
/// against a fake engine. The real one is <see cref="DockerContainerEngine"/> (Docker.DotNet over the unix socket), whose
/// image lookup is <see cref="IDockerImageOperations"/>.
/// </summary>
internal interface IContainerEngine
{
    /// <summary>The image's metadata, or null when the engine has no such image.</summary>
    Task<ImageFacts?> InspectImageAsync(string image, CancellationToken cancellationToken);

    Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken);

    /// <summary>A tar stream of <paramref name="path"/> in the container (as <c>docker cp</c> gives it), or null when the path does not exist.</summary>
    Task<Stream?> ReadArchiveAsync(string containerId, string path, CancellationToken cancellationToken);

    Task StartContainerAsync(string containerId, CancellationToken cancellationToken);

    Task<ContainerStatus> InspectContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Stops the container (SIGTERM, then SIGKILL after <paramref name="grace"/>).</summary>
    Task StopContainerAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>stdout and stderr of the container so far.</summary>
    Task<string> ReadLogsAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Removes the container and its anonymous volumes, whatever its state.</summary>
    Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken);
}

/// <summary>A volume mounted into a container: anonymous (removed with the container) unless <c>Source</c> names a host folder.</summary>
internal sealed record VolumeMount(string Target, string? Source = null);

/// <summary>
/// What to create: always without a network of its own (host or none), optionally with a shortened healthcheck.
/// <c>ReadOnlyEmptyFolders</c> are mounted empty and read-only (a folder nobody can write, as a forgotten volume would be).
/// </summary>
internal sealed record ContainerSpec(
    string Image,
    string NetworkMode,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<VolumeMount> Volumes,
    string? User = null,
    bool ReadOnlyRootFilesystem = false,
    IReadOnlyList<string>? TmpfsFolders = null,
    HealthcheckFacts? Healthcheck = null,
    IReadOnlyList<string>? ReadOnlyEmptyFolders = null);

/// <summary>
/// A container's state as the engine reports it; <c>Health</c> is starting, healthy, unhealthy or null (no healthcheck),
/// <c>LastProbe</c> what the last healthcheck printed (why it is not healthy).
/// </summary>
internal sealed record ContainerStatus(string State, bool Running, long ExitCode, string? Health, string? LastProbe = null)
{
    /// <summary>Nothing more will change by waiting: the container stopped, or its healthcheck decided.</summary>
    public bool IsSettled => !Running || Health is "healthy" or "unhealthy";
}
