using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceMesh.Configuration;
using ServiceMesh.Certificates;
using ServiceMesh.Discovery.Api;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Discovery.Server;
using ServiceMesh.Discovery.Watch;
using ServiceMesh.Health;
using ServiceMesh.Storage;

namespace ServiceMesh.Discovery;

/// <summary>
/// Service discovery. DISCOVERY_MODE=embedded (default): the registry lives here (state under DATA_PATH/registry,
/// Consul HTTP API on EMBEDDED_CONSUL_HTTP_PORT, DNS on EMBEDDED_DNS_PORT, checks run here). DISCOVERY_MODE=consul:
/// an external Consul at CONSUL_SCHEME://CONSUL_HOST:CONSUL_PORT. Either way the runtime talks to its registry only
/// through <see cref="ConsulClient"/>, and publishes <see cref="ICatalogWatcher"/> for Envoy and certificates.
/// </summary>
internal static class DiscoveryExtensions
{
    /// <param name="definitions">services.yaml, read and validated once by the caller (its problems are exit 78 at start).</param>
    public static IHostApplicationBuilder AddDiscovery(this IHostApplicationBuilder builder, MeshOptions options, ServiceDefinitions definitions)
    {
        var services = builder.Services;
        services.AddSingleton(definitions);
        services.AddSingleton(sp => EndpointFor(sp.GetRequiredService<MeshOptions>()));
        services.AddSingleton(sp => new ConsulClient(ConsulClient.CreateHttpClient(sp.GetRequiredService<ConsulEndpoint>()), sp.GetRequiredService<ConsulEndpoint>()));

        if (options.DiscoveryMode == DiscoveryMode.Embedded)
        {
            services.AddSingleton(sp => RegistryLog.Open(Path.Combine(sp.GetRequiredService<MeshOptions>().DataPath, "registry"), sp.GetRequiredService<ILogger<RegistryLog>>(),
                faults: sp.GetRequiredService<StorageFaults>()));
            services.AddSingleton(sp => new RegistryStore(sp.GetRequiredService<RegistryLog>(), sp.GetRequiredService<TimeProvider>())
            {
                Datacenter = sp.GetRequiredService<MeshOptions>().ConsulDatacenter,
                NodeAddress = NodeAddress(sp.GetRequiredService<MeshOptions>()),
                CheckNetworks = sp.GetRequiredService<MeshOptions>().CheckAllowedNetworks,
            });
            services.AddHostedService(sp =>
            {
                var options = sp.GetRequiredService<MeshOptions>();
                return new EmbeddedConsulServer(sp.GetRequiredService<RegistryStore>(), options.BindAddress, options.EmbeddedConsulHttpPort,
                    new ConsulTlsListener(options.EmbeddedConsulHttpsPort, sp.GetRequiredService<ServerCertificateSource>()), options.ApiToken, sp.GetRequiredService<ILoggerFactory>(),
                    sp.GetService<ConsulPortAdditions>());
            });
            services.AddSingleton(sp => new DnsResponder(sp.GetRequiredService<RegistryStore>(), sp.GetRequiredService<MeshOptions>().DnsTtl));
            services.AddHostedService(sp =>
            {
                var options = sp.GetRequiredService<MeshOptions>();
                return new EmbeddedDnsServer(sp.GetRequiredService<DnsResponder>(), options.BindAddress, options.EmbeddedDnsPort, sp.GetRequiredService<ILogger<EmbeddedDnsServer>>());
            });
            services.AddSingleton(sp => new CheckProbes(sp.GetRequiredService<MeshOptions>().CheckAllowedNetworks));
            services.AddHostedService<CheckRunner>();
            services.AddSingleton<ILucidServiceDirectory>(sp => new EmbeddedServiceDirectory(sp.GetRequiredService<RegistryStore>()));
        }
        else
        {
            services.AddSingleton<ILucidServiceDirectory>(sp => new ConsulServiceDirectory(sp.GetRequiredService<ConsulClient>(), sp.GetRequiredService<CatalogWatcher>()));
        }

        services.AddSingleton<CatalogPreloader>();
        services.AddHostedService(sp => sp.GetRequiredService<CatalogPreloader>());
        services.AddSingleton<CatalogWatcher>();
        services.AddSingleton<ICatalogWatcher>(sp => sp.GetRequiredService<CatalogWatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<CatalogWatcher>());
        services.AddHealthComponent<DiscoveryHealthComponent>();
        services.AddSingleton(sp => new DiscoveryMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<CatalogWatcher>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<RegistryStore>()));
        services.AddHostedService<DiscoveryMetricsActivator>();
        return builder;
    }

    internal static ConsulEndpoint EndpointFor(MeshOptions options) => options.DiscoveryMode == DiscoveryMode.Embedded
        ? new ConsulEndpoint(new Uri($"http://{new IPEndPoint(options.LoopbackAddress, options.EmbeddedConsulHttpPort)}/"), options.ApiToken)
        : new ConsulEndpoint(new Uri($"{options.ConsulScheme}://{(IPAddress.TryParse(options.ConsulHost, out var ip) ? new IPEndPoint(ip, options.ConsulPort).ToString() : $"{options.ConsulHost}:{options.ConsulPort}")}/"),
            options.ConsulHttpToken, options.ConsulCaFile);

    // The address the node (and services registered without one) answers on: the bind address, or loopback for "any".
    private static string NodeAddress(MeshOptions options) => options.LoopbackAddress.ToString();

    /// <summary>Creates the metrics instruments at start (they are observable gauges, so nothing else would).</summary>
    private sealed class DiscoveryMetricsActivator(DiscoveryMetrics metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(metrics);
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
