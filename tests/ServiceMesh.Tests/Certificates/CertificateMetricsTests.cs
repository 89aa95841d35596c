using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Certificates;

/// <summary>
/// Exact counter values on /metrics. The OpenTelemetry exporter listens to every meter of a name in the process, not
/// only its own host's, so these tests run alone (no other test issues certificates meanwhile).
/// </summary>
[Collection(nameof(ProcessWideMetrics))]
public sealed class CertificateMetricsTests
{
    [Fact]
    public async Task HealthAndMetrics_AfterIssue_CertificatesComponentHealthyAndCountersExported()
    {
        await using var host = await MeshTestHost.StartAsync();
        await host.Client.PostAsync("/certificates/block-manager", null);
        await host.Client.PostAsync("/certificates/block-manager", null);

        var health = await (await host.Client.GetAsync("/health")).JsonAsync();
        var metrics = await host.Client.GetStringAsync("/metrics");

        var certificates = health.GetProperty("components").GetProperty("certificates");
        certificates.GetProperty("status").GetString().ShouldBe("healthy");
        certificates.GetProperty("detail").GetString()!.ShouldContain("1 service certificate(s)");
        metrics.ShouldContain("service_mesh_certificates_issued_total{otel_scope_name=\"ServiceMesh.Certificates\"} 1");
        metrics.ShouldContain("service_mesh_certificates_renewed_total{otel_scope_name=\"ServiceMesh.Certificates\",reason=\"request\"} 1");
        metrics.ShouldContain("service_mesh_certificates_earliest_expiry_seconds{otel_scope_name=\"ServiceMesh.Certificates\"}");
    }
}
