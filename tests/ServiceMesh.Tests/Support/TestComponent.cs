using ServiceMesh.Health;

namespace ServiceMesh.Tests.Support;

/// <summary>A health component whose state the test sets.</summary>
internal sealed class TestComponent(string name) : IHealthComponent
{
    public ComponentHealth Health { get; set; } = ComponentHealth.Healthy("fine");
    public Exception? Throws { get; set; }

    public string Name => name;

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken) =>
        Throws is { } e ? Task.FromException<ComponentHealth>(e) : Task.FromResult(Health);
}
