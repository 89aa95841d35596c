using System.Formats.Tar;
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

    private string Work => Path.Combine(_root.FullName, "work");

    private string Context => Path.Combine(Work, "context");

    private string Dockerfile => Path.Combine(_root.FullName, "Dockerfile");

    public ImageBuildContextTests()
    {
        Directory.CreateDirectory(Path.Combine(Publish, "config"));
        File.WriteAllText(Path.Combine(Publish, "service-mesh"), "binary");
        File.WriteAllText(Path.Combine(Publish, "service-mesh.dbg"), "symbols");
        File.WriteAllText(Path.Combine(Publish, "config", "services.yaml"), "services: []\n");
        File.WriteAllText(Path.Combine(Publish, "config", "policies.yaml"), "policies: []\n");
        File.WriteAllText(Dockerfile, "FROM scratch\nCOPY app/ /app/\n");
    }

    private Task<ImageContext> CreateAsync(ImageStamp? stamp = null) =>
        ImageBuildContext.CreateAsync(Work, Publish, Dockerfile, Base, stamp ?? Stamp, CancellationToken.None);

    [Fact]
    public async Task CreateAsync_Markers_VouchForTheFilesInTheContextWithTheStamp()
    {
        var context = await CreateAsync();

        context.Markers.Select(m => m.Name).ShouldBe(["base", "application", "configuration"]);
        var configuration = MarkerDigest.Parse(File.ReadAllText(Path.Combine(Context, "app/markers/configuration.json")));
        configuration.Files.ShouldBe(["config/policies.yaml", "config/services.yaml"]);
        configuration.Revision.ShouldBe(Stamp.Revision);
        configuration.BuildDate.ShouldBe(Stamp.BuildDate);
        (await MarkerDigest.ComputeAsync(Path.Combine(Context, "app"), configuration.Files, CancellationToken.None)).ShouldBe(configuration.Sha256);
        context.Markers[0].Sha256.ShouldBe(Base.MarkerSha256);
    }

    [Fact]
    public async Task CreateAsync_DebugSymbols_StayOutOfTheArchive()
    {
        var context = await CreateAsync();

        var entries = ReadArchive(context.Archive);
        entries.Keys.ShouldContain("app/service-mesh");
        entries.Keys.ShouldNotContain(name => name.EndsWith(".dbg", StringComparison.Ordinal));
        ImageBuildContext.WritableFolders.ShouldAllBe(f => entries.ContainsKey($"writable/{f}/"));
    }

    [Fact]
    public async Task CreateAsync_Archive_HoldsTheDockerfileAndEveryEntryWithBuildDateRootAndFixedModes()
    {
        var context = await CreateAsync();

        var entries = ReadArchive(context.Archive);
        entries.Keys.Order(StringComparer.Ordinal).ShouldBe([
            "Dockerfile", "app/", "app/config/", "app/config/policies.yaml", "app/config/services.yaml", "app/markers/",
            "app/markers/application.json", "app/markers/base.json", "app/markers/configuration.json", "app/service-mesh",
            "writable/", "writable/certificates/", "writable/data/", "writable/envoy-configs/", "writable/logs/"]);
        entries.Values.ShouldAllBe(e => e.ModificationTime == Stamp.BuildDate && e.Uid == 0 && e.Gid == 0);
        entries["app/service-mesh"].Mode.ShouldBe((UnixFileMode)0b111_101_101);
        entries["app/config/services.yaml"].Mode.ShouldBe((UnixFileMode)0b110_100_100);
        entries["writable/data/"].Mode.ShouldBe((UnixFileMode)0b111_101_101);
        context.BinarySha256.ShouldBe(await FileDigest.Sha256Async(Path.Combine(Publish, "service-mesh"), CancellationToken.None));
    }

    [Fact]
    public async Task CreateAsync_SameInputsTwice_GivesTheSameArchiveBytes()
    {
        var first = await File.ReadAllBytesAsync((await CreateAsync()).Archive);
        var second = await File.ReadAllBytesAsync((await CreateAsync()).Archive);

        second.ShouldBe(first);
    }

    [Fact]
    public async Task CreateAsync_OtherBinaryOfTheSameSizeAndTime_GivesAnotherArchive()
    {
        // Issue 11: a folder context at the same path, with every file at the build date, let BuildKit keep the old binary.
        var first = await CreateAsync();
        File.WriteAllText(Path.Combine(Publish, "service-mesh"), "BINARY");

        var second = await CreateAsync();

        second.BinarySha256.ShouldNotBe(first.BinarySha256);
        second.ArchiveSha256.ShouldNotBe(first.ArchiveSha256);
        ReadArchive(second.Archive)["app/service-mesh"].Content.ShouldBe("BINARY"u8.ToArray());
    }

    [Fact]
    public async Task CreateAsync_OtherVersionOrDate_GivesAnotherArchive()
    {
        var first = (await CreateAsync()).ArchiveSha256;

        var otherVersion = (await CreateAsync(Stamp with { Version = "1.2.4" })).ArchiveSha256;
        var otherDate = (await CreateAsync(Stamp with { BuildDate = Stamp.BuildDate.AddSeconds(1) })).ArchiveSha256;

        new[] { first, otherVersion, otherDate }.Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public async Task CreateAsync_NothingPublished_FailsPointingToPublish()
    {
        File.Delete(Path.Combine(Publish, "service-mesh"));

        var failure = await Should.ThrowAsync<BuildFailureException>(() => CreateAsync());

        failure.Message.ShouldContain("run Publish");
    }

    private static Dictionary<string, (DateTimeOffset ModificationTime, int Uid, int Gid, UnixFileMode Mode, byte[] Content)> ReadArchive(string path)
    {
        var entries = new Dictionary<string, (DateTimeOffset, int, int, UnixFileMode, byte[])>(StringComparer.Ordinal);
        using var reader = new TarReader(File.OpenRead(path));
        while (reader.GetNextEntry() is { } entry)
        {
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            entries[entry.Name] = (entry.ModificationTime, entry.Uid, entry.Gid, entry.Mode, content.ToArray());
        }

        return entries;
    }

    public void Dispose() => _root.Delete(recursive: true);
}
