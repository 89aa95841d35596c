namespace ServiceMesh.Build.Engine;

/// <summary>Where a parameter's value came from, in NUKE's precedence order (first wins).</summary>
public enum ParameterSource
{
    CommandLine,
    ParametersFile,
    Environment,
    Default,
}

/// <summary>A parameter as resolved for this run.</summary>
internal sealed record ResolvedParameter(
    string Name,
    string Description,
    Type Type,
    object? Value,
    ParameterSource Source,
    string SourceDetail,
    bool Secret)
{
    public string DisplayValue => Secret
        ? (Value is null or "" ? "(not set)" : "(set, hidden)")
        : ParameterValues.Format(Value);
}
