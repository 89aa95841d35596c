using BenchmarkDotNet.Running;
using ServiceMesh.Benchmarks.Certificates;

namespace ServiceMesh.Benchmarks;

/// <summary>
/// dotnet run -c Release --project tests/ServiceMesh.Benchmarks -- --filter '*' --job short. Two other runs by their
/// first argument: <c>durability</c>, the kill -9 trials (<see cref="Durability.CrashTrials"/>), and <c>load</c>, the
/// HTTP load run of the hot routes (<see cref="Http.HotRoutesLoad"/>).
/// </summary>
internal static class BenchmarkProgram
{
    // A named entry point: the runtime's top-level Program is visible here through InternalsVisibleTo.
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["durability", .. var trials]:
                return await Durability.CrashTrials.RunAsync(trials);
            case ["load", .. var load]:
                return await Http.HotRoutesLoad.RunAsync(load);
            default:
                BenchmarkSwitcher.FromAssembly(typeof(LeafIssuanceBenchmarks).Assembly).Run(args);
                return 0;
        }
    }
}
