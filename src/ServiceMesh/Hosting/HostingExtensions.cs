using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceMesh.Api;
using ServiceMesh.Configuration;
using ServiceMesh.Http;
using ServiceMesh.Storage;

namespace ServiceMesh.Hosting;

internal static class HostingExtensions
{
    /// <summary>Docker's default stop grace period is 10 s; finish in-flight requests well inside it.</summary>
    internal static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(8);

    /// <summary>Makes the validated settings available as MeshOptions (capabilities derive their own settings from it) and binds Kestrel to them.</summary>
    public static IHostApplicationBuilder AddMeshHosting(this WebApplicationBuilder builder, MeshOptions options)
    {
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StorageFaults>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddHostedService<StartupAnnouncer>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = Problems.MaxRequestBodyBytes;
            kestrel.Listen(options.BindAddress, options.HttpPort);
        });
        return builder;
    }
}
