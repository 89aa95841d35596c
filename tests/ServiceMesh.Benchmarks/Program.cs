using BenchmarkDotNet.Running;
using ServiceMesh.Benchmarks.Certificates;

namespace ServiceMesh.Benchmarks;

/// <summary>dotnet run -c Release --project tests/ServiceMesh.Benchmarks -- --filter '*' --job short</summary>
internal static class BenchmarkProgram
{
    // A named entry point: the runtime's top-level Program is visible here through InternalsVisibleTo.
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(LeafIssuanceBenchmarks).Assembly).Run(args);
}
