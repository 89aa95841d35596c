using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServiceMesh.Health;

internal static class HealthServiceCollectionExtensions
{
    /// <summary>Registers the health evaluator and today's real components: the host and its storage.</summary>
    public static IHostApplicationBuilder AddMeshHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<HealthEvaluator>();
        builder.Services.AddHealthComponent<HostHealthComponent>();
        builder.Services.AddHealthComponent<StorageHealthComponent>();
        return builder;
    }

    /// <summary>How a capability makes its state part of /health.</summary>
    public static IServiceCollection AddHealthComponent<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IServiceCollection services)
        where T : class, IHealthComponent
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHealthComponent, T>());
        return services;
    }
}
