using Microsoft.Extensions.Hosting;

namespace ServiceMesh.Health;

/// <summary>The host itself: healthy once it has started serving, unhealthy as soon as it begins to stop.</summary>
internal sealed class HostHealthComponent : IHealthComponent
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private DateTimeOffset? _startedAt;

    public HostHealthComponent(IHostApplicationLifetime lifetime, TimeProvider time)
    {
        _lifetime = lifetime;
        _time = time;
        lifetime.ApplicationStarted.Register(() => _startedAt = time.GetUtcNow());
    }

    public string Name => "host";

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(
        _lifetime.ApplicationStopping.IsCancellationRequested ? ComponentHealth.Unhealthy("shutting down, finishing in-flight requests")
        : _startedAt is not { } started ? ComponentHealth.Unhealthy("starting, not yet serving")
        : ComponentHealth.Healthy($"serving since {started:yyyy-MM-ddTHH:mm:ssZ} (up {(long)(_time.GetUtcNow() - started).TotalSeconds} s)"));
}
