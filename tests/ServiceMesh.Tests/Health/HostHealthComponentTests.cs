using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Health;

namespace ServiceMesh.Tests.Health;

public sealed class HostHealthComponentTests
{
    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        public CancellationTokenSource Started { get; } = new();
        public CancellationTokenSource Stopping { get; } = new();
        public CancellationToken ApplicationStarted => Started.Token;
        public CancellationToken ApplicationStopping => Stopping.Token;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() => Stopping.Cancel();
        public void Dispose() { Started.Dispose(); Stopping.Dispose(); }
    }

    [Fact]
    public async Task Check_ThroughTheLifecycle_StartingThenServingWithUptimeThenStopping()
    {
        using var lifetime = new Lifetime();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
        var component = new HostHealthComponent(lifetime, time);

        (await component.CheckAsync(default)).ShouldBe(ComponentHealth.Unhealthy("starting, not yet serving"));
        await lifetime.Started.CancelAsync();
        time.Advance(TimeSpan.FromSeconds(42));
        (await component.CheckAsync(default)).ShouldBe(ComponentHealth.Healthy("serving since 2026-11-28T10:00:00Z (up 42 s)"));
        lifetime.StopApplication();

        (await component.CheckAsync(default)).Status.ShouldBe(ComponentStatus.Unhealthy);
    }
}
