namespace ServiceMesh.Build.Engine;

public enum TargetStatus
{
    NotRun,
    Succeeded,
    Failed,
    Skipped,
    Aborted,
}

/// <summary>How one planned target ended.</summary>
internal sealed record TargetResult(string Name, TargetStatus Status, TimeSpan Duration, string Note);
