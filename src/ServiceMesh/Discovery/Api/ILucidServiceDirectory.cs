using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Api;

/// <summary>
/// Where Lucid's /services routes read and write. Whatever a write answered, the next read shows (read-your-writes):
/// embedded mode reads and writes the registry store itself; consul mode writes through the client and reads the
/// catalog snapshot, waiting for the watcher to see its own write.
/// </summary>
internal interface ILucidServiceDirectory
{
    /// <summary>Names the registry in a 503's detail, e.g. "the embedded registry".</summary>
    string Registry { get; }

    /// <summary>Every instance, by service name then instance ID.</summary>
    IReadOnlyList<ServiceSummary> List();

    /// <summary>The service's instances (any status), or null when no service has that name.</summary>
    IReadOnlyList<ServiceSummary>? Find(string name);

    /// <summary>Durable when it returns. Returns the registry's refusal of the values (a 422), or null.</summary>
    /// <exception cref="IOException">The state could not be made durable (a full or read-only disk): a 503.</exception>
    /// <exception cref="HttpRequestException">The external registry could not be reached: a 503.</exception>
    Task<string?> RegisterAsync(AgentServiceRegistration registration, CancellationToken cancellationToken);

    /// <summary>Removes every instance of the service; returns how many were removed (0: none was registered).</summary>
    Task<int> DeregisterAsync(string name, CancellationToken cancellationToken);
}
