namespace ServiceMesh.Build.Docker;

/// <summary>
/// The image operations the build asks of the engine, after testcontainers-dotnet's <c>IDockerImageOperations</c>.
/// Lookups never pull: a reference the engine does not have is simply absent. The real one is <see cref="DockerImageOperations"/>.
/// </summary>
internal interface IDockerImageOperations
{
    /// <summary>The image's metadata by reference (id, name:tag or digest), or null when the engine has no such image.</summary>
    Task<ImageFacts?> InspectAsync(string reference, CancellationToken cancellationToken);

    /// <summary>True when the engine has an image by that reference.</summary>
    Task<bool> ExistsAsync(string reference, CancellationToken cancellationToken);
}
