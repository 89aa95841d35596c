using System.Globalization;
using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build;

internal sealed partial class Build
{
    [Parameter("BenchmarkDotNet filter (glob over benchmark names)")]
    readonly string BenchmarkFilter = "*";

    [Parameter("Kill -9 trials the Durability target runs")]
    readonly int Trials = 100;

    Target Durability => _ => _
        .Description("Kill -9 trials against the runtime during write storms: lost acknowledged writes, torn Envoy files, mismatched certificate pairs; never part of Test")
        .Executes(async ct =>
        {
            if (Trials < 1)
            {
                throw new BuildFailureException($"--trials {Trials}: expected a whole number of trials, 1 or more.");
            }

            var project = ProjectsUnderTests.SingleOrDefault(p => p.EndsWith("ServiceMesh.Benchmarks.csproj", StringComparison.Ordinal))
                ?? throw new BuildFailureException("tests/ServiceMesh.Benchmarks/ServiceMesh.Benchmarks.csproj not found.");
            await RunReleaseAsync(project, ["durability", Trials.ToString(CultureInfo.InvariantCulture)], ct);
        });

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
                await RunReleaseAsync(project, ["--filter", BenchmarkFilter, "--artifacts", Path.Combine(ArtifactsDirectory, "benchmarks")], ct);
            }
        });

    // Built first, then run without building: `dotnet run` hands MSBuild switches such as /nodeReuse:false to the program.
    async Task RunReleaseAsync(string project, string[] arguments, CancellationToken ct)
    {
        await Tools.RunAsync("dotnet", ["build", project, "-c", "Release", .. NoServers], ct);
        await Tools.RunAsync("dotnet", ["run", "--project", project, "-c", "Release", "--no-build", "--", .. arguments], ct);
    }
}
