using System.Diagnostics.Metrics;
using ServiceMesh.Envoy.Output;
using ServiceMesh.Metrics;

namespace ServiceMesh.Envoy;

/// <summary>The Envoy writer's instruments (Prometheus: service_mesh_envoy_*).</summary>
internal sealed class EnvoyMetrics
{
    private readonly Counter<long> _filesWritten;
    private readonly Counter<long> _writeFailures;
    private readonly Histogram<double> _generationDuration;
    private readonly Histogram<double> _changeToDisk;

    public EnvoyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MetricsExtensions.MeterName + ".Envoy");
        _filesWritten = meter.CreateCounter<long>("service_mesh.envoy.files_written", unit: "{file}",
            description: "Envoy configuration files replaced on disk (files whose content did not change are not rewritten)");
        _writeFailures = meter.CreateCounter<long>("service_mesh.envoy.write_failures", unit: "{file}",
            description: "Envoy configuration files that could not be written or removed");
        _generationDuration = meter.CreateHistogram<double>("service_mesh.envoy.generation.duration", unit: "s",
            description: "Time to generate and write the configuration of every sidecar");
        _changeToDisk = meter.CreateHistogram<double>("service_mesh.envoy.change_to_disk.latency", unit: "s",
            description: "Time from a discovery, certificate, policy or API change to the renamed files on disk, debounce included");
    }

    public void Record(EnvoyWriteResult result, TimeSpan duration, TimeSpan? changeToDisk)
    {
        _filesWritten.Add(result.FilesWritten);
        if (result.Failures.Count > 0)
        {
            _writeFailures.Add(result.Failures.Count);
        }

        _generationDuration.Record(duration.TotalSeconds);
        if (changeToDisk is { } latency)
        {
            _changeToDisk.Record(latency.TotalSeconds);
        }
    }
}
