using System.Diagnostics.Metrics;

namespace ServiceMesh.Certificates;

/// <summary>Issued, renewed, failures, and seconds until the earliest leaf expiry (on the "ServiceMesh.Certificates" meter).</summary>
internal sealed class CertificateMetrics
{
    public const string MeterName = "ServiceMesh.Certificates";

    private readonly Counter<long> _issued;
    private readonly Counter<long> _renewed;
    private readonly Counter<long> _failures;

    public CertificateMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _issued = meter.CreateCounter<long>("service_mesh.certificates.issued", description: "Leaf certificates issued for a service that had none");
        _renewed = meter.CreateCounter<long>("service_mesh.certificates.renewed", description: "Leaf certificates replaced (schedule, request or root rotation)");
        _failures = meter.CreateCounter<long>("service_mesh.certificates.failures", description: "Failed issuance or renewal attempts");
        meter.CreateObservableGauge("service_mesh.certificates.earliest_expiry", ObserveEarliestExpiry, unit: "s",
            description: "Seconds until the earliest leaf certificate expires (absent while there is none)");
    }

    /// <summary>Set by the manager; read by the gauge.</summary>
    public Func<double?> EarliestExpiry { get; set; } = () => null;

    private IEnumerable<Measurement<double>> ObserveEarliestExpiry() =>
        EarliestExpiry() is { } seconds ? [new Measurement<double>(seconds)] : [];

    public void Issued() => _issued.Add(1);

    public void Renewed(string reason) => _renewed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Failed(string operation) => _failures.Add(1, new KeyValuePair<string, object?>("operation", operation));
}
