using System.Reflection;

namespace ServiceMesh.Build.Engine;

/// <summary>A build's targets with their resolved relations, read from its <see cref="Target"/> properties.</summary>
internal sealed class TargetGraph
{
    private readonly Dictionary<string, TargetNode> _nodes;

    private TargetGraph(IReadOnlyList<TargetNode> nodes)
    {
        Nodes = nodes;
        _nodes = nodes.ToDictionary(n => n.Name, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<TargetNode> Nodes { get; }

    public TargetNode? Find(string name) => _nodes.GetValueOrDefault(name);

    public static TargetGraph Create(object build)
    {
        var properties = build.GetType()
            .GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(p => p.PropertyType == typeof(Target))
            .OrderBy(p => p.MetadataToken)
            .ToList();

        // Expression-bodied properties return a new delegate on each read, but always for the same lambda
        // method: that method identifies the target when another target names it in DependsOn/After.
        var byMethod = new Dictionary<MethodInfo, string>();
        var definitions = new List<(TargetDefinition Definition, Target Delegate)>();
        foreach (var property in properties)
        {
            var target = (Target)property.GetValue(build)!;
            byMethod[target.Method] = property.Name;
            definitions.Add((new TargetDefinition(property.Name), target));
        }

        foreach (var (definition, target) in definitions)
        {
            target(definition);
        }

        string NameOf(Target t, string owner) => byMethod.TryGetValue(t.Method, out var name)
            ? name
            : throw new BuildFailureException($"Target '{owner}' refers to a target that is not a Target property of {build.GetType().Name}.", ExitCodes.UsageError);

        var nodes = definitions
            .Select(d => new TargetNode(
                d.Definition.Name,
                d.Definition.DescriptionText,
                d.Definition.DependencyDelegates.Select(t => NameOf(t, d.Definition.Name)).ToList(),
                d.Definition.AfterDelegates.Select(t => NameOf(t, d.Definition.Name)).ToList(),
                d.Definition.Conditions,
                d.Definition.Actions))
            .ToList();
        return new TargetGraph(nodes);
    }
}

/// <summary>One target with its relations as names.</summary>
internal sealed record TargetNode(
    string Name,
    string Description,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<string> After,
    IReadOnlyList<(Func<bool> Condition, string Reason)> Conditions,
    IReadOnlyList<Func<CancellationToken, Task>> Actions);
