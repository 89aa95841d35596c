using ServiceMesh.Build.Engine;
using ServiceMesh.Build.Image;
using ServiceMesh.Install;

namespace ServiceMesh.Build.Tests.Image;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ImageBuildContextTests : IDisposable
{
    private static readonly ImageStamp Stamp = new("1.2.3", "0123456789abcdef0123456789abcdef01234567", new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
    private static readonly BaseContent Base = new(["etc/passwd"], new string('b', 64));

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("context-");

    private string Publish => Path.Combine(_root.FullName, "publish");

    private string Context => Path.Combine(_root.FullName, "context");

    public ImageBuildContextTests()
    {
        Directory.CreateDirectory(Path.Combine(Publish, "config"));
        File.WriteAllText(Path.Combine(Publish, "service-mesh"), "binary");
        File.WriteAllText(Path.Combine(Publish, "service-mesh.dbg"), "symbols");
        File.WriteAllText(Path.Combine(Publish, "config", "services.yaml"), "services: []\n");
        File.WriteAllText(Path.Combine(Publish, "config", "policies.yaml"), "policies: []\n");
    }

    [Fact]
    public async Task CreateAsync_Markers_VouchForTheFilesInTheContextWithTheStamp()
    {
        var markers = await ImageBuildContext.CreateAsync(Context, Publish, Base, Stamp, CancellationToken.None);

        markers.Select(m => m.Name).ShouldBe(["base", "application", "configuration"]);
        var configuration = MarkerDigest.Parse(File.ReadAllText(Path.Combine(Context, "app/markers/configuration.json")));
        configuration.Files.ShouldBe(["config/policies.yaml", "config/services.yaml"]);
        configuration.Revision.ShouldBe(Stamp.Revision);
        configuration.BuildDate.ShouldBe(Stamp.BuildDate);
        (await MarkerDigest.ComputeAsync(Path.Combine(Context, "app"), configuration.Files, CancellationToken.None)).ShouldBe(configuration.Sha256);
        markers[0].Sha256.ShouldBe(Base.MarkerSha256);
    }

    [Fact]
    public async Task CreateAsync_DebugSymbols_StayOutOfTheContext()
    {
        await ImageBuildContext.CreateAsync(Context, Publish, Base, Stamp, CancellationToken.None);

        File.Exists(Path.Combine(Context, "app/service-mesh")).ShouldBeTrue();
        Directory.EnumerateFiles(Context, "*.dbg", SearchOption.AllDirectories).ShouldBeEmpty();
        ImageBuildContext.WritableFolders.ShouldAllBe(f => Directory.Exists(Path.Combine(Context, "writable", f)));
    }

    [Fact]
    public async Task CreateAsync_EveryEntry_CarriesTheBuildDateAsItsTime()
    {
        await ImageBuildContext.CreateAsync(Context, Publish, Base, Stamp, CancellationToken.None);

        Directory.EnumerateFileSystemEntries(Context, "*", SearchOption.AllDirectories)
            .ShouldAllBe(p => File.GetLastWriteTimeUtc(p) == Stamp.BuildDate.UtcDateTime);
    }

    [Fact]
    public async Task CreateAsync_NothingPublished_FailsPointingToPublish()
    {
        File.Delete(Path.Combine(Publish, "service-mesh"));

        var failure = await Should.ThrowAsync<BuildFailureException>(() => ImageBuildContext.CreateAsync(Context, Publish, Base, Stamp, CancellationToken.None));

        failure.Message.ShouldContain("run Publish");
    }

    public void Dispose() => _root.Delete(recursive: true);
}
