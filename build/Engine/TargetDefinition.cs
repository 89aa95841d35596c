namespace ServiceMesh.Build.Engine;

/// <summary>What one target property declared; filled by invoking the property's delegate once.</summary>
internal sealed class TargetDefinition : ITargetDefinition
{
    private readonly List<Target> _dependsOn = [];
    private readonly List<Target> _after = [];
    private readonly List<(Func<bool> Condition, string Reason)> _conditions = [];
    private readonly List<Func<CancellationToken, Task>> _actions = [];

    public TargetDefinition(string name) => Name = name;

    public string Name { get; }

    public string DescriptionText { get; private set; } = "";

    public IReadOnlyList<Target> DependencyDelegates => _dependsOn;

    public IReadOnlyList<Target> AfterDelegates => _after;

    public IReadOnlyList<(Func<bool> Condition, string Reason)> Conditions => _conditions;

    public IReadOnlyList<Func<CancellationToken, Task>> Actions => _actions;

    public ITargetDefinition Description(string description)
    {
        DescriptionText = description;
        return this;
    }

    public ITargetDefinition DependsOn(params Target[] targets)
    {
        _dependsOn.AddRange(targets);
        return this;
    }

    public ITargetDefinition After(params Target[] targets)
    {
        _after.AddRange(targets);
        return this;
    }

    public ITargetDefinition OnlyWhen(Func<bool> condition, string reason)
    {
        _conditions.Add((condition, reason));
        return this;
    }

    public ITargetDefinition Executes(Action action)
    {
        _actions.Add(_ =>
        {
            action();
            return Task.CompletedTask;
        });
        return this;
    }

    public ITargetDefinition Executes(Func<CancellationToken, Task> action)
    {
        _actions.Add(action);
        return this;
    }
}
