namespace ServiceMesh.Health;

/// <summary>The host itself: healthy once it has started serving, unhealthy as soon as it begins to stop (kept by the lifetime events).</summary>
internal sealed class HostHealthComponent : IKeptHealthComponent
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private StartedAt? _started; // a reference, so readers on other threads never see a torn value

    private sealed record StartedAt(DateTimeOffset Value);

    public HostHealthComponent(IHostApplicationLifetime lifetime, TimeProvider time)
    {
        _lifetime = lifetime;
        _time = time;
        lifetime.ApplicationStarted.Register(() => _started = new StartedAt(time.GetUtcNow()));
    }

    public string Name => "host";

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(Current);

    public ComponentHealth Current =>
        _lifetime.ApplicationStopping.IsCancellationRequested ? ComponentHealth.Unhealthy("shutting down, finishing in-flight requests")
        : _started?.Value is not { } started ? ComponentHealth.Unhealthy("starting, not yet serving")
        : ComponentHealth.Healthy($"serving since {started:yyyy-MM-ddTHH:mm:ssZ} (up {(long)(_time.GetUtcNow() - started).TotalSeconds} s)");
}
