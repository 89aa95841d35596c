using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Configuration;
using ServiceMesh.Health;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Health;

public sealed class StorageHealthComponentTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Check_FolderReplacedByFileAfterStart_UnhealthyOnceCacheExpires()
    {
        var options = MeshConfiguration.Load(MeshEnvironment.For(_folder)).Options!;
        var time = new FakeTimeProvider();
        var component = new StorageHealthComponent(options, time);
        (await component.CheckAsync(default)).Status.ShouldBe(ComponentStatus.Healthy);

        Directory.Delete(options.DataPath, recursive: true);
        File.WriteAllText(options.DataPath, "volume gone");
        (await component.CheckAsync(default)).Status.ShouldBe(ComponentStatus.Healthy, "cached for a few seconds");
        time.Advance(StorageHealthComponent.CacheFor);
        var health = await component.CheckAsync(default);

        health.Status.ShouldBe(ComponentStatus.Unhealthy);
        health.Detail.ShouldContain($"DATA_PATH={options.DataPath} is not writable");
        health.Detail.ShouldContain("owned by 65532:65532");
    }
}
