namespace ServiceMesh.Tests.Support;

/// <summary>Tests that read exact values of process-wide meters: run after the parallel tests, one at a time.</summary>
[CollectionDefinition(nameof(ProcessWideMetrics), DisableParallelization = true)]
public sealed class ProcessWideMetrics;
