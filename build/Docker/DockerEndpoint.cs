using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Docker;

/// <summary>Where the Docker engine listens: DOCKER_HOST when set, else the default unix socket.</summary>
internal sealed record DockerEndpoint(Uri Address)
{
    public const string DefaultSocket = "/var/run/docker.sock";

    public string? SocketPath => Address.Scheme == "unix" ? Address.LocalPath : null;

    public static DockerEndpoint FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        var configured = environment.GetValueOrDefault("DOCKER_HOST");
        if (string.IsNullOrWhiteSpace(configured))
        {
            return new DockerEndpoint(new Uri("unix://" + DefaultSocket));
        }

        // Only the unix socket transport is referenced: a tcp:// engine would send image contents over a network.
        return Uri.TryCreate(configured, UriKind.Absolute, out var uri) && uri.Scheme == "unix"
            ? new DockerEndpoint(uri)
            : throw new BuildFailureException($"DOCKER_HOST is '{configured}'; this build talks to a local engine only: unset it or use unix:///path/to/docker.sock.");
    }

    public override string ToString() => Address.ToString();
}
