using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceMesh.Certificates;
using ServiceMesh.Configuration;
using ServiceMesh.Envoy.Api;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Envoy.Policies;
using ServiceMesh.Health;

namespace ServiceMesh.Envoy;

internal static class EnvoyExtensions
{
    /// <summary>
    /// The Envoy writer: the generation loop (a hosted service), the /envoy/configs registrations as one input,
    /// the "envoy" health component and metrics. Other inputs register as <see cref="IEnvoyInputs"/>.
    /// </summary>
    public static IHostApplicationBuilder AddEnvoy(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(EnvoyJsonContext.Default));
        services.TryAddSingleton(provider => CertificateSettings.From(provider.GetRequiredService<MeshOptions>()));
        services.TryAddSingleton(provider => EnvoySettings.From(provider.GetRequiredService<MeshOptions>()));
        services.TryAddSingleton<EnvoyApiRegistrations>();
        services.AddSingleton<IEnvoyInputs>(provider => provider.GetRequiredService<EnvoyApiRegistrations>());
        // Discovery's catalog and the certificate manager's events, when those capabilities are registered.
        services.TryAddSingleton<CatalogMeshInputs>();
        services.AddSingleton<IEnvoyInputs>(provider => provider.GetRequiredService<CatalogMeshInputs>());
        services.AddHostedService(provider => provider.GetRequiredService<CatalogMeshInputs>());
        services.TryAddSingleton(provider => new PolicyStore(provider.GetRequiredService<EnvoySettings>().PolicyFolder));
        services.TryAddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<EnvoySettings>();
            var certificates = provider.GetRequiredService<CertificateSettings>();
            var manager = provider.GetService<CertificateManager>();
            return new EnvoySpecPlanner(settings.AdminPort, certificates.TrustDomainId + "/", certificates.SpiffeIdFor, CertificateTlsPaths(certificates),
                manager is null ? null : () => manager.RevocationList, settings.StatsBindAddress);
        });
        services.TryAddSingleton<EnvoyState>();
        services.TryAddSingleton<EnvoyMetrics>();
        services.TryAddSingleton<SidecarCertificates>();
        services.TryAddSingleton<EnvoyGenerator>();
        services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<EnvoyGenerationService>(provider));
        services.AddHostedService(provider => provider.GetRequiredService<EnvoyGenerationService>());
        services.AddHealthComponent<EnvoyHealthComponent>();
        return builder;
    }

    /// <summary>
    /// The certificate manager's file layout: each sidecar names its pair inside its own folder (never a path beside the
    /// CA's files), and watches that folder, where the pair is swapped by one rename.
    /// </summary>
    internal static Func<string, EnvoyTlsPaths> CertificateTlsPaths(CertificateSettings certificates)
    {
        var store = new SvidFileStore(certificates.Folder, CertificateFileSystem.Instance);
        return service => new EnvoyTlsPaths(store.CurrentCertificatePath(service), store.CurrentKeyPath(service), store.WatchedDirectory(service),
            store.TrustBundlePath, certificates.Folder);
    }
}
