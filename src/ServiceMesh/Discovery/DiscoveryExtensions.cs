using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ServiceMesh.Certificates;
using ServiceMesh.Configuration;
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
/// DISCOVERY_MODE=embedded (default, registry hosted here) or consul (CONSUL_SCHEME://CONSUL_HOST:CONSUL_PORT); either
/// way only <see cref="ConsulClient"/> talks to it, and <see cref="ICatalogWatcher"/> is published.
/// </summary>
internal static class DiscoveryExtensions
{
    /// <param name="options">Only DISCOVERY_MODE is read here; the services read <see cref="DiscoverySettings"/>.</param>
    /// <param name="definitions">services.yaml, read and validated once by the caller (its problems are exit 78 at start).</param>
    public static IHostApplicationBuilder AddDiscovery(this IHostApplicationBuilder builder, MeshOptions options, ServiceDefinitions definitions)
    {
        var services = builder.Services;
        services.AddSingleton(definitions);
        services.TryAddSingleton(sp => DiscoverySettings.From(sp.GetRequiredService<MeshOptions>()));
        services.AddSingleton(sp => EndpointFor(sp.GetRequiredService<DiscoverySettings>()));
        services.AddSingleton(sp => new ConsulClient(ConsulClient.CreateHttpClient(sp.GetRequiredService<ConsulEndpoint>()), sp.GetRequiredService<ConsulEndpoint>()));

        if (options.DiscoveryMode == DiscoveryMode.Embedded)
        {
            services.AddSingleton(sp => RegistryLog.Open(sp.GetRequiredService<DiscoverySettings>().RegistryFolder, sp.GetRequiredService<ILogger<RegistryLog>>(),
                faults: sp.GetRequiredService<StorageFaults>()));
            services.AddSingleton(sp =>
            {
                var settings = sp.GetRequiredService<DiscoverySettings>();
                return new RegistryStore(sp.GetRequiredService<RegistryLog>(), sp.GetRequiredService<TimeProvider>())
                {
                    Datacenter = settings.Datacenter,
                    NodeAddress = settings.NodeAddress,
                    CheckNetworks = settings.CheckAllowedNetworks,
                };
            });
            services.AddHostedService(sp =>
            {
                var settings = sp.GetRequiredService<DiscoverySettings>();
                return new EmbeddedConsulServer(sp.GetRequiredService<RegistryStore>(), settings.BindAddress, settings.EmbeddedHttpPort,
                    new ConsulTlsListener(settings.EmbeddedHttpsPort, sp.GetRequiredService<ServerCertificateSource>()), settings.ApiToken, sp.GetRequiredService<ILoggerFactory>(),
                    sp.GetService<ConsulPortAdditions>());
            });
            services.AddSingleton(sp => new DnsResponder(sp.GetRequiredService<RegistryStore>(), sp.GetRequiredService<DiscoverySettings>().DnsTtl));
            services.AddHostedService(sp =>
            {
                var settings = sp.GetRequiredService<DiscoverySettings>();
                return new EmbeddedDnsServer(sp.GetRequiredService<DnsResponder>(), settings.BindAddress, settings.EmbeddedDnsPort, sp.GetRequiredService<ILogger<EmbeddedDnsServer>>());
            });
            services.AddSingleton(sp => new CheckProbes(sp.GetRequiredService<DiscoverySettings>().CheckAllowedNetworks));
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

    internal static ConsulEndpoint EndpointFor(DiscoverySettings settings) => settings.Mode == DiscoveryMode.Embedded
        ? new ConsulEndpoint(new Uri($"http://{new IPEndPoint(settings.LocalAddress, settings.EmbeddedHttpPort)}/"), settings.ApiToken)
        : new ConsulEndpoint(new Uri($"{settings.ConsulScheme}://{(IPAddress.TryParse(settings.ConsulHost, out var ip) ? new IPEndPoint(ip, settings.ConsulPort).ToString() : $"{settings.ConsulHost}:{settings.ConsulPort}")}/"),
            settings.ConsulToken, settings.ConsulCaFile);

    /// <summary>Creates the metrics instruments at start (they are observable gauges, so nothing else would).</summary>
    private sealed class DiscoveryMetricsActivator(DiscoveryMetrics metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(metrics);
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
