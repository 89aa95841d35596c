using System.Text.RegularExpressions;

namespace ServiceMesh.Tests.Architecture;

/// <summary>The runtime's source files, found from the test's own folder upwards (the repository's src/ServiceMesh).</summary>
internal static partial class SourceTree
{
    public static string Root { get; } = FindRoot();

    public static IEnumerable<string> Files() => Directory.EnumerateFiles(Root, "*.cs", SearchOption.AllDirectories)
        .Where(path => !IsBuildOutput(Path.GetRelativePath(Root, path)));

    /// <summary>Every C# file the repository's sessions wrote: src/, build/ and tests/, build output left out.</summary>
    public static IEnumerable<string> RepositoryFiles()
    {
        var repository = Path.GetFullPath(Path.Combine(Root, "..", ".."));
        return new[] { "src", "build", "tests" }.Select(folder => Path.Combine(repository, folder)).Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Select(path => Path.GetRelativePath(repository, path).Replace('\\', '/'));
    }

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>The top-level folder of a source file ("Envoy" for Envoy/Api/EnvoyEndpoints.cs), null at the root.</summary>
    public static string? FolderOf(string path)
    {
        var relative = Relative(path);
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? null : relative[..slash];
    }

    public static string? DeclaredNamespace(string source) => NamespaceLine().Match(source) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>Folders named by <c>using ServiceMesh.X...;</c> and by qualified <c>ServiceMesh.X.</c> names: constants and
    /// nameof leave no trace in IL, so the source is read too.</summary>
    public static IEnumerable<string> NamedFolders(string source) =>
        NamedFolder().Matches(source).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal);

    private static bool IsBuildOutput(string relative) =>
        relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
        || relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "src", "ServiceMesh");
            if (File.Exists(Path.Combine(candidate, "ServiceMesh.csproj")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"src/ServiceMesh not found above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"\bServiceMesh\.([A-Z]\w*)\b")]
    private static partial Regex NamedFolder();
}
