using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceMesh.Configuration;
using ServiceMesh.Health;
using ServiceMesh.Storage;

namespace ServiceMesh.Certificates;

internal static class CertificatesExtensions
{
    /// <summary>
    /// The mesh CA: loaded or created before the server starts (an unusable CA stops the start), renewal in the
    /// background, the "certificates" health component, metrics, and <see cref="ICertificateEvents"/> for other components.
    /// </summary>
    public static IHostApplicationBuilder AddCertificates(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(provider => CertificateSettings.From(provider.GetRequiredService<MeshOptions>()));
        services.TryAddSingleton<ICertificateFileSystem>(CertificateFileSystem.Instance);
        services.TryAddSingleton(new RenewalSchedule(Random.Shared));
        services.TryAddSingleton<CertificateEventHub>();
        services.TryAddSingleton<ICertificateEvents>(provider => provider.GetRequiredService<CertificateEventHub>());
        services.TryAddSingleton<CertificateMetrics>();
        // Every certificate write goes through the reporting layer, whichever file layer is registered (tests inject faults).
        services.TryAddSingleton(provider => new ReportingCertificateFileSystem(provider.GetRequiredService<ICertificateFileSystem>(),
            provider.GetRequiredService<StorageFaults>(), provider.GetRequiredService<CertificateSettings>().Folder));
        services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<CertificateManager>(provider, (ICertificateFileSystem)provider.GetRequiredService<ReportingCertificateFileSystem>()));
        services.TryAddSingleton<ServerCertificateSource>();
        services.AddHostedService<CertificateRenewalService>();
        services.AddHealthComponent<CertificateHealthComponent>();
        return builder;
    }
}
