using Docker.DotNet;
using Docker.DotNet.Unix;

namespace ServiceMesh.Build.Docker;

/// <summary>Creates Docker.DotNet clients pinned to Engine API 1.41 (Debian's engine 20.10 answers a newer pin with 400).</summary>
internal static class DockerClients
{
    public static readonly Version ApiVersion = new(1, 41);

    public static DockerClient Create(DockerEndpoint endpoint, TimeSpan? timeout = null) =>
        new DockerClientBuilder()
            .WithEndpoint(endpoint.Address)
            .WithApiVersion(ApiVersion)
            .WithTransportOptions(new UnixSocketTransportOptions())
            .WithTimeout(timeout ?? TimeSpan.FromMinutes(5))
            .Build();

    /// <summary>True when an engine answers a ping within a few seconds.</summary>
    public static async Task<bool> AnswersAsync(DockerEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.SocketPath is { } socket && !File.Exists(socket))
        {
            return false;
        }

        using var client = Create(endpoint, TimeSpan.FromSeconds(5));
        try
        {
            await client.System.PingAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or DockerApiException
                                      or System.Net.Sockets.SocketException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
