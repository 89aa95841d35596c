using BenchmarkDotNet.Running;
using ServiceMesh.Benchmarks.Certificates;

namespace ServiceMesh.Benchmarks;

/// <summary>
/// dotnet run -c Release --project tests/ServiceMesh.Benchmarks -- --filter '*' --job short; with first argument
/// <c>durability</c>: the kill -9 trials instead (<see cref="Durability.CrashTrials"/>).
/// </summary>
internal static class BenchmarkProgram
{
    // A named entry point: the runtime's top-level Program is visible here through InternalsVisibleTo.
    public static async Task<int> Main(string[] args)
    {
        if (args is ["durability", .. var rest])
            return await Durability.CrashTrials.RunAsync(rest);
        BenchmarkSwitcher.FromAssembly(typeof(LeafIssuanceBenchmarks).Assembly).Run(args);
        return 0;
    }
}
