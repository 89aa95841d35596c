namespace ServiceMesh.Tests.Architecture;

/// <summary>
/// The arrows between the runtime's top-level folders run one way: Hosting (composition root, commands) ->
/// capabilities -> shared leaves, and no folder uses one that uses it back. Edges come from the compiled IL and
/// from the source (usings and qualified names), so a constant or a nameof counts too.
/// </summary>
public sealed class FolderDependencyTests
{
    private static readonly string[] Capabilities = ["Api", "Certificates", "Discovery", "Envoy", "Install"];
    private static readonly string[] SharedLeaves = ["Configuration", "Health", "Http", "Metrics", "Storage"];

    private static readonly Lazy<Dictionary<string, IReadOnlyDictionary<string, string>>> Edges = new(ReadEdges);

    [Fact]
    public void Folders_AreTheDocumentedLayers_NothingElse()
    {
        var folders = SourceTree.Files().Select(SourceTree.FolderOf).OfType<string>().Distinct().Order(StringComparer.Ordinal);

        folders.ShouldBe(["Hosting", .. Capabilities, .. SharedLeaves], ignoreOrder: true);
    }

    [Fact]
    public void Folders_NoFolderUsesOneThatUsesItBack()
    {
        var loops = (from from_ in Edges.Value.Keys
                     from to in Edges.Value[from_].Keys
                     where string.CompareOrdinal(from_, to) < 0 && Reaches(to, from_)
                     select $"{from_} <-> {to}  ({Example(from_, to)}; back: {BackPath(to, from_)})").ToList();

        loops.ShouldBeEmpty();
    }

    [Fact]
    public void Arrows_RunFromHostingToCapabilitiesToSharedLeaves_NeverBack()
    {
        var backwards = (from edge in AllEdges()
                         where Layer(edge.From) < Layer(edge.To)
                         select $"{edge.From} -> {edge.To}  ({edge.Example})").ToList();

        backwards.ShouldBeEmpty();
    }

    [Fact]
    public void Arrows_BetweenCapabilities_AreTheOnesTheReadmeNames()
    {
        // README "Architecture": Api is used by Hosting alone; these are the only arrows between capabilities.
        string[] documented = ["Discovery -> Certificates", "Envoy -> Certificates", "Envoy -> Discovery", "Install -> Discovery", "Install -> Envoy"];

        var between = AllEdges().Where(e => Capabilities.Contains(e.From) && Capabilities.Contains(e.To))
            .Select(e => $"{e.From} -> {e.To}").Order(StringComparer.Ordinal).ToList();

        between.ShouldBeSubsetOf(documented);
    }

    [Fact]
    public void Graph_FindsTheArrowsThatExist_HostingUsesEveryCapability()
    {
        // Guards the readers above: an edge reader that found nothing would pass every rule.
        Edges.Value["Hosting"].Keys.ShouldBeSubsetOf([.. Capabilities, .. SharedLeaves]);
        foreach (var capability in Capabilities)
        {
            Edges.Value["Hosting"].Keys.ShouldContain(capability);
        }

        Edges.Value["Envoy"].Keys.ShouldContain("Certificates");
        Edges.Value["Install"].Keys.ShouldContain("Configuration");
    }

    [Fact]
    public void Namespaces_MatchFolders()
    {
        var mismatched = (from path in SourceTree.Files()
                          let relative = SourceTree.Relative(path)
                          let folder = Path.GetDirectoryName(relative)!.Replace('/', '.')
                          let expected = folder.Length == 0 ? "ServiceMesh" : "ServiceMesh." + folder
                          let declared = SourceTree.DeclaredNamespace(File.ReadAllText(path))
                          where declared is not null && declared != expected
                          select $"{relative}: namespace {declared}, folder says {expected}").ToList();

        mismatched.ShouldBeEmpty();
    }

    [Fact]
    public void SourceFiles_FitOnAFewScreens_NoneOver300Lines()
    {
        var repository = Path.GetFullPath(Path.Combine(SourceTree.Root, "..", ".."));
        var files = SourceTree.RepositoryFiles().ToList();
        var long_ = (from relative in files
                     let lines = File.ReadLines(Path.Combine(repository, relative)).Count()
                     where lines > 300
                     select $"{relative}: {lines} lines").ToList();

        files.ShouldContain("build/Build.cs");
        files.ShouldNotContain(f => f.Contains("/obj/", StringComparison.Ordinal));
        long_.ShouldBeEmpty();
    }

    private static int Layer(string folder) =>
        folder == "Hosting" ? 2 : Capabilities.Contains(folder) ? 1 : SharedLeaves.Contains(folder) ? 0 : 3;

    private static IEnumerable<(string From, string To, string Example)> AllEdges() =>
        Edges.Value.SelectMany(from => from.Value.Select(to => (from.Key, to.Key, to.Value)));

    private static string Example(string from, string to) =>
        Edges.Value.TryGetValue(from, out var targets) && targets.TryGetValue(to, out var example) ? example : "";

    private static bool Reaches(string from, string to) => BackPath(from, to).Length > 0;

    /// <summary>A shortest chain of folders from one to the other ("" when there is none), breadth first.</summary>
    private static string BackPath(string from, string to)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal) { [from] = "" };
        var queue = new Queue<string>([from]);
        while (queue.Count > 0)
        {
            var folder = queue.Dequeue();
            if (folder == to)
            {
                var chain = new List<string>();
                for (var at = to; at.Length > 0; at = previous[at])
                {
                    chain.Insert(0, at);
                }

                return string.Join(" -> ", chain);
            }
            if (!Edges.Value.TryGetValue(folder, out var next))
            {
                continue;
            }

            foreach (var step in next.Keys.Where(step => previous.TryAdd(step, folder)))
            {
                queue.Enqueue(step);
            }
        }
        return "";
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>> ReadEdges()
    {
        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        void Add(string from, string to, string example)
        {
            if (from == to)
            {
                return;
            }

            if (!edges.TryGetValue(from, out var targets))
            {
                edges[from] = targets = new(StringComparer.Ordinal);
            }

            targets.TryAdd(to, example);
        }

        var graph = FolderDependencyGraph.Of(typeof(ServiceMesh.Hosting.MeshApplication).Assembly.Location);
        foreach (var from in graph.Folders)
        {
            foreach (var to in graph.Uses(from))
            {
                Add(from, to, graph.Example(from, to));
            }
        }

        foreach (var path in SourceTree.Files())
        {
            if (SourceTree.FolderOf(path) is not { } from)
            {
                continue;
            }

            foreach (var to in SourceTree.NamedFolders(File.ReadAllText(path)))
            {
                Add(from, to, SourceTree.Relative(path) + " names ServiceMesh." + to);
            }
        }
        return edges.ToDictionary(e => e.Key, e => (IReadOnlyDictionary<string, string>)e.Value, StringComparer.Ordinal);
    }
}
