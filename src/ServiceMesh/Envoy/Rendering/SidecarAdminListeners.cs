using ServiceMesh.Envoy.Planning;
using ServiceMesh.Envoy.Rendering.Model;

namespace ServiceMesh.Envoy.Rendering;

/// <summary>
/// The Prometheus and ready listeners of a sidecar (Consul's envoy_prometheus_metrics_listener and
/// envoy_ready_listener): only /stats/prometheus (also /metrics) and /ready of the admin interface, which itself stays on 127.0.0.1.
/// </summary>
internal static class SidecarAdminListeners
{
    public const string AdminCluster = "self_admin";
    public const string PrometheusListener = "envoy_prometheus_metrics_listener";
    public const string ReadyListener = "envoy_ready_listener";

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    // The sidecar's own limits and HTTP hardening apply here as on its public listener: these too face the network.
    public static IEnumerable<Listener> Of(EnvoyServiceSpec spec) =>
    [
        Listener(spec, PrometheusListener, "envoy_prometheus_metrics", spec.Stats.PrometheusPort,
            [new AdminRoute("/stats/prometheus", "/stats/prometheus"), new AdminRoute("/metrics", "/stats/prometheus")]),
        Listener(spec, ReadyListener, "envoy_ready", spec.Stats.ReadyPort, [new AdminRoute("/ready", "/ready")]),
    ];

    /// <summary>A static cluster to the sidecar's own admin address.</summary>
    public static Cluster Cluster(EnvoyServiceSpec spec) =>
        new(AdminCluster, Model.Cluster.Static, ConnectTimeout, new ClusterLoadAssignment(AdminCluster, [EnvoyAddress.Tcp("127.0.0.1", spec.AdminPort)]),
            PerConnectionBufferLimitBytes: HardeningMessages.BufferLimit(spec.LocalAppPolicy.Hardening),
            UpstreamConnectionOptions: HardeningMessages.Keepalive(spec.LocalAppPolicy.Hardening));

    private static Listener Listener(EnvoyServiceSpec spec, string name, string statPrefix, int port, IReadOnlyList<AdminRoute> routes) =>
        new(name, EnvoyAddress.Tcp(spec.Stats.BindAddress, port), "INBOUND",
            [new FilterChain([new TypedExtension(HttpConnectionManager.FilterName,
                new AdminProxy(statPrefix, AdminCluster, routes, HardeningMessages.Http(spec.LocalAppPolicy.Hardening)))])],
            HardeningMessages.BufferLimit(spec.LocalAppPolicy.Hardening));
}
