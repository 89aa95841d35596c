using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build;

internal sealed partial class Build
{
    [Parameter("BenchmarkDotNet filter (glob over benchmark names)")]
    readonly string BenchmarkFilter = "*";

    Target Benchmark => _ => _
        .Description("Runs the BenchmarkDotNet projects (tests/*.Benchmarks) in Release; never part of Test")
        .Executes(async ct =>
        {
            var projects = ProjectsUnderTests.Where(p => p.EndsWith(".Benchmarks.csproj", StringComparison.Ordinal)).ToList();
            if (projects.Count == 0)
            {
                throw new BuildFailureException("No benchmark project (tests/*.Benchmarks/*.Benchmarks.csproj) found.");
            }

            foreach (var project in projects)
            {
                await Tools.RunAsync(
                    "dotnet",
                    ["run", "--project", project, "-c", "Release", .. NoServers, "--",
                        "--filter", BenchmarkFilter, "--artifacts", Path.Combine(ArtifactsDirectory, "benchmarks")],
                    ct);
            }
        });
}
