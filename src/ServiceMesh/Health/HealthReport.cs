namespace ServiceMesh.Health;

/// <summary>The mesh's state: the worst of its components' states.</summary>
internal sealed record HealthReport(ComponentStatus Status, IReadOnlyDictionary<string, ComponentHealth> Components)
{
    public static HealthReport From(IReadOnlyDictionary<string, ComponentHealth> components) =>
        new(components.Count == 0 ? ComponentStatus.Healthy : components.Values.Max(c => c.Status), components);
}
