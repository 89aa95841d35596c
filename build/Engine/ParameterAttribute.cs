namespace ServiceMesh.Build.Engine;

/// <summary>
/// Marks a field or property of the build as a typed parameter, set from (first match wins) the command line
/// (<c>--image-size-budget 40</c>), <c>.nuke/parameters.json</c> (<c>"ImageSizeBudget": 40</c>) or the
/// environment with the build's prefix (<c>MESH_IMAGE_SIZE_BUDGET</c>); otherwise its initial value stays.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ParameterAttribute : Attribute
{
    public ParameterAttribute(string description) => Description = description;

    public string Description { get; }

    /// <summary>Secret values are never printed (help shows only whether one is set).</summary>
    public bool Secret { get; init; }
}
