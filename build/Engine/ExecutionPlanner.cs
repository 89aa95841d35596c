namespace ServiceMesh.Build.Engine;

/// <summary>Turns invoked target names into a run order: dependencies first, each target once, <c>After</c> respected.</summary>
internal static class ExecutionPlanner
{
    public static IReadOnlyList<TargetNode> Plan(TargetGraph graph, IReadOnlyList<string> invoked)
    {
        EnsureAcyclic(graph);

        var requested = invoked.Select(name => graph.Find(name) ?? throw NotFound(graph, name)).ToList();

        // Everything the invoked targets pull in through DependsOn.
        var inPlan = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<TargetNode>(requested);
        while (pending.TryPop(out var node))
        {
            if (inPlan.Add(node.Name))
            {
                foreach (var dependency in node.DependsOn)
                {
                    pending.Push(graph.Find(dependency)!);
                }
            }
        }

        // Depth-first in command-line order; After edges count only between targets that are both in the plan.
        var order = new List<TargetNode>();
        var done = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Visit(TargetNode node)
        {
            if (!done.Add(node.Name))
            {
                return;
            }

            foreach (var predecessor in Predecessors(graph, node).Where(p => inPlan.Contains(p.Name)))
            {
                Visit(predecessor);
            }

            order.Add(node);
        }

        foreach (var node in requested)
        {
            Visit(node);
        }

        return order;
    }

    public static BuildFailureException NotFound(TargetGraph graph, string name) =>
        new($"Target '{name}' not found. Available: {string.Join(", ", graph.Nodes.Select(n => n.Name))}", ExitCodes.UsageError);

    private static IEnumerable<TargetNode> Predecessors(TargetGraph graph, TargetNode node) =>
        node.DependsOn.Concat(node.After).Select(name => graph.Find(name)!);

    /// <summary>Rejects any cycle over DependsOn and After edges, naming its path.</summary>
    private static void EnsureAcyclic(TargetGraph graph)
    {
        var state = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase); // false: on the path, true: finished
        var path = new List<string>();

        void Visit(TargetNode node)
        {
            if (state.TryGetValue(node.Name, out var finished))
            {
                if (!finished)
                {
                    var start = path.FindIndex(n => string.Equals(n, node.Name, StringComparison.OrdinalIgnoreCase));
                    var cycle = path.Skip(start).Append(node.Name);
                    throw new BuildFailureException($"Circular dependency: {string.Join(" -> ", cycle)}", ExitCodes.UsageError);
                }

                return;
            }

            state[node.Name] = false;
            path.Add(node.Name);
            foreach (var predecessor in Predecessors(graph, node))
            {
                Visit(predecessor);
            }

            path.RemoveAt(path.Count - 1);
            state[node.Name] = true;
        }

        foreach (var node in graph.Nodes)
        {
            Visit(node);
        }
    }
}
