using Docker.DotNet;
using Docker.DotNet.Models;

namespace ServiceMesh.Build.Docker;

/// <summary>What the build needs to know about a local image.</summary>
internal sealed record LocalImage(string Id, long Size, IReadOnlyDictionary<string, string> Labels);

/// <summary>Looks up local images through the Engine API (never pulls).</summary>
internal sealed class ImageStore
{
    private readonly DockerEndpoint _endpoint;

    public ImageStore(DockerEndpoint endpoint) => _endpoint = endpoint;

    public async Task<LocalImage?> FindAsync(string reference, CancellationToken cancellationToken)
    {
        using var client = DockerClients.Create(_endpoint);
        try
        {
            var image = await client.Images.InspectImageAsync(reference, cancellationToken);
            return new LocalImage(image.ID, image.Size, new Dictionary<string, string>(image.Config?.Labels ?? new Dictionary<string, string>()));
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
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
