using BenchmarkDotNet.Running;
using ServiceMesh.Benchmarks.Certificates;

namespace ServiceMesh.Benchmarks;

/// <summary>
/// dotnet run -c Release --project tests/ServiceMesh.Benchmarks -- --filter '*' --job short;
/// with "load" first, the HTTP load run of the hot routes instead (<see cref="Http.HotRoutesLoad"/>).
/// </summary>
internal static class BenchmarkProgram
{
    // A named entry point: the runtime's top-level Program is visible here through InternalsVisibleTo.
    public static async Task<int> Main(string[] args)
    {
        if (args is ["load", .. var load])
            return await Http.HotRoutesLoad.RunAsync(load);
        BenchmarkSwitcher.FromAssembly(typeof(LeafIssuanceBenchmarks).Assembly).Run(args);
        return 0;
    }
}
