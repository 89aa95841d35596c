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

    /// <summary>
    /// Checks the real state, on a worker thread with a timeout, at every /health request. A component that can keep
    /// its state current instead implements <see cref="IKeptHealthComponent"/>.
    /// </summary>
    Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A component kept current by the events that change it (catalog snapshot, issued certificate, written generation,
/// host start or stop), so <see cref="Current"/> is a few field reads: /health and /metrics read it inline, with no
/// worker thread and no timeout, and every change made before a request is in its answer.
/// </summary>
internal interface IKeptHealthComponent : IHealthComponent
{
    /// <summary>The state now (<see cref="IHealthComponent.CheckAsync"/> answers the same, for callers that only know the base).</summary>
    ComponentHealth Current { get; }
}
