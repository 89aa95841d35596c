using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ServiceMesh.Configuration;
using ServiceMesh.Health;

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
        services.TryAddSingleton<CertificateManager>();
        services.TryAddSingleton<ServerCertificateSource>();
        services.AddHostedService<CertificateRenewalService>();
        services.AddHealthComponent<CertificateHealthComponent>();
        return builder;
    }
}
