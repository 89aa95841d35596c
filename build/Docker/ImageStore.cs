using Docker.DotNet.Models;

namespace ServiceMesh.Build.Docker;

/// <summary>Looks up local images through <see cref="IDockerImageOperations"/> (never pulls), and the engine's network and version.</summary>
internal sealed class ImageStore
{
    private readonly DockerEndpoint _endpoint;

    public ImageStore(DockerEndpoint endpoint) => _endpoint = endpoint;

    public async Task<ImageFacts?> FindAsync(string reference, CancellationToken cancellationToken)
    {
        using var client = DockerClients.Create(_endpoint);
        return await new DockerImageOperations(client).InspectAsync(reference, cancellationToken);
    }

    public async Task<bool> ExistsAsync(string reference, CancellationToken cancellationToken)
    {
        using var client = DockerClients.Create(_endpoint);
        return await new DockerImageOperations(client).ExistsAsync(reference, cancellationToken);
    }

    /// <summary>True when the engine has a network with the bridge driver (ours has none: the daemon runs with "bridge": "none").</summary>
    public async Task<bool> HasBridgeNetworkAsync(CancellationToken cancellationToken)
    {
        using var client = DockerClients.Create(_endpoint);
        var networks = await client.Networks.ListNetworksAsync(new NetworksListParameters(), cancellationToken);
        return networks.Any(n => n.Driver == "bridge");
    }

    public async Task<string> ServerVersionAsync(CancellationToken cancellationToken)
    {
        using var client = DockerClients.Create(_endpoint);
        var version = await client.System.GetVersionAsync(cancellationToken);
        return $"{version.Version} (API {version.APIVersion})";
    }
}
