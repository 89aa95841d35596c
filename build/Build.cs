using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build;

/// <summary>The service-mesh build. Targets live in partial files by concern (Build.Test.cs, Build.Publish.cs, …).</summary>
internal sealed partial class Build : BuildBase
{
    public static int Main(string[] args) => BuildRunner.Execute<Build>(args);

    [Parameter("Build configuration")]
    readonly Configuration Configuration = Configuration.Debug;

    public override IReadOnlyList<string> DefaultTargets => [nameof(Compile)];

    string Solution => Path.Combine(RootDirectory, "ServiceMesh.sln");

    /// <summary>The folders whose bin/ and obj/ Clean deletes.</summary>
    static readonly string[] SourceFolders = ["src", "tests"];

    /// <summary>MSBuild switches on every dotnet call: no build server or node outlives the build.</summary>
    static readonly string[] NoServers = ["/nodeReuse:false", "-p:UseSharedCompilation=false"];

    Target Clean => _ => _
        .Description("Deletes artifacts/ and every bin/ and obj/ below src/ and tests/")
        .Executes(() =>
        {
            DeleteDirectory(ArtifactsDirectory);
            foreach (var folder in SourceFolders.Select(f => Path.Combine(RootDirectory, f)).Where(Directory.Exists))
            {
                foreach (var output in Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories)
                             .Where(d => Path.GetFileName(d) is "bin" or "obj")
                             .ToList())
                {
                    DeleteDirectory(output);
                }
            }
        });

    Target Restore => _ => _
        .Description("Restores NuGet packages for the solution")
        .Executes(ct => Tools.RunAsync("dotnet", ["restore", Solution, .. NoServers], ct));

    Target Compile => _ => _
        .Description("Builds the solution (warnings are errors)")
        .DependsOn(Restore)
        .Executes(ct => Tools.RunAsync("dotnet", ["build", Solution, "-c", Configuration.ToString(), "--no-restore", "-nologo", .. NoServers], ct));

    static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}

internal enum Configuration
{
    Debug,
    Release,
}
