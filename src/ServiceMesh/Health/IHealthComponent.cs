namespace ServiceMesh.Health;

internal enum ComponentStatus { Healthy, Degraded, Unhealthy }

/// <summary>A component's state and the reason, in words an operator can act on.</summary>
internal sealed record ComponentHealth(ComponentStatus Status, string Detail)
{
    public static ComponentHealth Healthy(string detail) => new(ComponentStatus.Healthy, detail);
    public static ComponentHealth Degraded(string detail) => new(ComponentStatus.Degraded, detail);
    public static ComponentHealth Unhealthy(string detail) => new(ComponentStatus.Unhealthy, detail);
}

/// <summary>
/// Something whose state decides whether the mesh is healthy. Capabilities (certificates, discovery, envoy)
/// implement this and register with <c>services.AddHealthComponent&lt;T&gt;()</c>; /health reports every one.
/// </summary>
internal interface IHealthComponent
{
    /// <summary>Stable, lowercase key in the /health "components" object, e.g. "storage".</summary>
    string Name { get; }

    /// <summary>Checks the real state. Should be cheap; it is called on every /health request (with a timeout).</summary>
    Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken);
}
