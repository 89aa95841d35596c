using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Metrics;

public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_AfterRequests_PrometheusTextWithRouteStatusLatencyProcessAndHealth()
    {
        await using var host = await MeshTestHost.StartAsync();
        await host.Client.GetAsync("/health");
        await host.Client.GetAsync("/missing");

        using var response = await host.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        text.ShouldContain("# TYPE http_server_request_duration_seconds histogram");
        text.ShouldContain("http_response_status_code=\"200\",http_route=\"/health\"");
        text.ShouldContain("http_response_status_code=\"404\"");
        text.ShouldContain("http_server_request_duration_seconds_bucket{");
        text.ShouldContain("dotnet_process_cpu_time_seconds_total");
        text.ShouldContain("dotnet_process_memory_working_set_bytes");
        text.ShouldContain("service_mesh_component_healthy{otel_scope_name=\"ServiceMesh\",component=\"storage\"} 1");
    }

    [Fact]
    public async Task Metrics_OnConsulPort_SameExporterAsOnHttpPort()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consulPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}") };
        await host.Client.GetAsync("/health");

        using var response = await consulPort.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        text.ShouldContain("http_response_status_code=\"200\",http_route=\"/health\"", customMessage: "requests served on HTTP_PORT are counted in the same exporter");
        text.ShouldContain("service_mesh_component_healthy{otel_scope_name=\"ServiceMesh\",component=\"storage\"} 1");
        text.ShouldContain("dotnet_process_memory_working_set_bytes");
    }
}
