using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ServiceMesh.Benchmarks;

/// <summary>P50/P95/P99/P100 columns for latency benchmarks (one invocation per iteration, so each sample is one event).</summary>
internal sealed class PercentilesConfig : ManualConfig
{
    public PercentilesConfig() => AddColumn(StatisticColumn.P50, StatisticColumn.P95, StatisticColumn.P100, new P99Column());
}

/// <summary>p99 from the measured iterations (BenchmarkDotNet's built-in columns stop at P95).</summary>
internal sealed class P99Column : IColumn
{
    public string Id => "P99";
    public string ColumnName => "P99";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Time;
    public string Legend => "99th percentile of the measured iterations";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        summary[benchmarkCase]?.ResultStatistics?.Percentiles.Percentile(99) is { } nanoseconds
            ? $"{nanoseconds / 1_000_000:0.00} ms" : "NA";
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
}
