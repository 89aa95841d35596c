namespace ServiceMesh.Build.Engine;

/// <summary>A target as NUKE users write it: <c>Target Compile => _ => _.DependsOn(Restore).Executes(...)</c>.</summary>
public delegate ITargetDefinition Target(ITargetDefinition definition);

/// <summary>The fluent surface a target property configures.</summary>
public interface ITargetDefinition
{
    ITargetDefinition Description(string description);

    /// <summary>Targets that must run (once) before this one; invoking this target pulls them in.</summary>
    ITargetDefinition DependsOn(params Target[] targets);

    /// <summary>Ordering only: when both are in the plan, this target runs after those.</summary>
    ITargetDefinition After(params Target[] targets);

    /// <summary>The target is skipped (status Skipped, with the reason) when the condition is false at the time it would run.</summary>
    ITargetDefinition OnlyWhen(Func<bool> condition, string reason);

    ITargetDefinition Executes(Action action);

    ITargetDefinition Executes(Func<CancellationToken, Task> action);
}
