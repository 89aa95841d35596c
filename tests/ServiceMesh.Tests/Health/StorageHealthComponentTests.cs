using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Configuration;
using ServiceMesh.Health;
using ServiceMesh.Storage;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Health;

public sealed class StorageHealthComponentTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.Zero));
    private readonly MeshOptions _options;
    private readonly StorageFaults _faults;
    private readonly StorageHealthComponent _component;

    public StorageHealthComponentTests()
    {
        _options = MeshConfiguration.Load(MeshEnvironment.For(_folder)).Options!;
        _faults = new StorageFaults(_time);
        _component = new StorageHealthComponent(_options, _time, _faults);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Check_FolderReplacedByFileAfterStart_UnhealthyOnceCacheExpires()
    {
        (await _component.CheckAsync(default)).Status.ShouldBe(ComponentStatus.Healthy);

        Directory.Delete(_options.DataPath, recursive: true);
        File.WriteAllText(_options.DataPath, "volume gone");
        (await _component.CheckAsync(default)).Status.ShouldBe(ComponentStatus.Healthy, "cached for a few seconds");
        _time.Advance(StorageHealthComponent.CacheFor);
        var health = await _component.CheckAsync(default);

        health.Status.ShouldBe(ComponentStatus.Unhealthy);
        health.Detail.ShouldContain($"DATA_PATH={_options.DataPath} is not writable");
        health.Detail.ShouldContain("owned by 65532:65532");
    }

    [Fact]
    public async Task Check_WriterRefusesWrites_UnhealthyNamingWriterFolderErrorAndSince()
    {
        (await _component.CheckAsync(default)).Status.ShouldBe(ComponentStatus.Healthy); // the probe result is cached from here on
        var folder = Path.Combine(_options.DataPath, "registry");

        _faults.Failed("registry", folder, new IOException("No space left on device : '/data/registry/registry.log'"), refusesWrites: true);
        var health = await _component.CheckAsync(default);

        health.Status.ShouldBe(ComponentStatus.Unhealthy, "faults are read live, not from the probe cache");
        health.Detail.ShouldContain("registry");
        health.Detail.ShouldContain(folder);
        health.Detail.ShouldContain("No space left on device");
        health.Detail.ShouldContain("since 2026-12-04T18:00:00Z");
        health.Detail.ShouldContain("refused");
    }

    [Fact]
    public async Task Check_OnlyOutputDelayed_DegradedNamingTheWriter()
    {
        _faults.Failed("envoy", _options.EnvoyConfigPath, new IOException("No space left on device"), refusesWrites: false);

        var health = await _component.CheckAsync(default);

        health.Status.ShouldBe(ComponentStatus.Degraded);
        health.Detail.ShouldContain($"envoy: writing to {_options.EnvoyConfigPath} fails");
        health.Detail.ShouldContain("retried");
    }

    [Fact]
    public async Task Check_RefusingAndDelayedTogether_UnhealthyNamingBoth()
    {
        _faults.Failed("envoy", _options.EnvoyConfigPath, new IOException("disk full"), refusesWrites: false);
        _faults.Failed("registrations", _options.DataPath, new IOException("disk full"), refusesWrites: true);

        var health = await _component.CheckAsync(default);

        health.Status.ShouldBe(ComponentStatus.Unhealthy);
        health.Detail.ShouldContain("envoy:");
        health.Detail.ShouldContain("registrations:");
    }

    [Fact]
    public async Task Check_WriterSucceedsAgain_HealthyAtOnce()
    {
        _faults.Failed("registrations", _options.DataPath, new IOException("disk full"), refusesWrites: true);
        (await _component.CheckAsync(default)).Status.ShouldBe(ComponentStatus.Unhealthy);

        _faults.Succeeded("registrations");

        var health = await _component.CheckAsync(default);
        health.Status.ShouldBe(ComponentStatus.Healthy);
        health.Detail.ShouldBe("4 folders writable");
    }
}
