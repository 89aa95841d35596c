using System.Security.Cryptography.X509Certificates;
using ServiceMesh.Certificates;
using Xunit;

namespace ServiceMesh.Tests.Certificates;

public sealed class AtomicPairTests : IDisposable
{
    private readonly CertificateFixture _fixture = new();

    [Theory]
    [InlineData("svid.key")]
    [InlineData("svid.crt")]
    [InlineData("current")]
    public async Task IssueAsync_WriteFailsMidway_PreviousPairStaysIntactAndCurrent(string failingFile)
    {
        var files = new FaultyFileSystem(path => Path.GetFileName(path) == failingFile) { Enabled = false };
        var manager = _fixture.Start(files);
        var before = await manager.IssueAsync("blockchain-engine", CancellationToken.None);
        var certificateBefore = File.ReadAllBytes(_fixture.PathOf("blockchain-engine.crt"));
        var keyBefore = File.ReadAllBytes(_fixture.PathOf("blockchain-engine.key"));

        files.Enabled = true;
        await Should.ThrowAsync<IOException>(() => manager.IssueAsync("blockchain-engine", CancellationToken.None));

        File.ReadAllBytes(_fixture.PathOf("blockchain-engine.crt")).ShouldBe(certificateBefore);
        File.ReadAllBytes(_fixture.PathOf("blockchain-engine.key")).ShouldBe(keyBefore);
        using var pair = X509Certificate2.CreateFromPemFile(_fixture.PathOf("blockchain-engine.crt"), _fixture.PathOf("blockchain-engine.key"));
        pair.SerialNumber.ShouldBe(before.Certificate.Serial);
        manager.Find("blockchain-engine")!.Certificate.Serial.ShouldBe(before.Certificate.Serial);
        // No half-written generation is left behind to be mistaken for a pair.
        Directory.GetDirectories(Path.Combine(_fixture.Folder, ".svid", "blockchain-engine")).Select(Path.GetFileName)
            .Where(d => d != "current").ShouldBe([before.Certificate.Serial]);
    }

    [Fact]
    public async Task IssueAsync_ConcurrentRequestsForOneName_ProduceOneConsistentPair()
    {
        var files = new PausingFileSystem();
        var manager = _fixture.Start(files);

        // The first request is paused inside its write; fifteen more arrive meanwhile.
        var first = Task.Run(() => manager.IssueAsync("api-gateway", CancellationToken.None));
        files.Entered.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        var others = Enumerable.Range(0, 15).Select(_ => manager.IssueAsync("api-gateway", CancellationToken.None)).ToList();
        files.Release.Set();
        var results = await Task.WhenAll([first, .. others]);

        results.Select(r => r.Certificate.Serial).Distinct().ShouldHaveSingleItem();
        using var pair = X509Certificate2.CreateFromPemFile(_fixture.PathOf("api-gateway.crt"), _fixture.PathOf("api-gateway.key"));
        pair.SerialNumber.ShouldBe(results[0].Certificate.Serial);
        Directory.GetDirectories(Path.Combine(_fixture.Folder, ".svid", "api-gateway")).Length.ShouldBe(2); // the generation and "current"
    }

    /// <summary>Pauses the first key write until released, so a test can line requests up behind it.</summary>
    private sealed class PausingFileSystem : ICertificateFileSystem
    {
        private readonly CertificateFileSystem _real = CertificateFileSystem.Instance;
        private int _paused;

        public ManualResetEventSlim Entered { get; } = new();
        public ManualResetEventSlim Release { get; } = new();

        public void WriteNew(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
        {
            if (Path.GetFileName(path) == "svid.key" && Interlocked.Exchange(ref _paused, 1) == 0)
            {
                Entered.Set();
                Release.Wait(TimeSpan.FromSeconds(30));
            }
            _real.WriteNew(path, content, mode);
        }

        public void WriteAtomic(string path, ReadOnlySpan<byte> content, UnixFileMode mode) => _real.WriteAtomic(path, content, mode);
        public void ReplaceLink(string link, string target) => _real.ReplaceLink(link, target);
        public void CreateDirectory(string path, UnixFileMode mode) => _real.CreateDirectory(path, mode);
        public void RepairMode(string path, UnixFileMode mode) => _real.RepairMode(path, mode);
        public void SyncDirectory(string path) => _real.SyncDirectory(path);
        public byte[]? ReadIfExists(string path) => _real.ReadIfExists(path);
        public void DeleteFile(string path) => _real.DeleteFile(path);
        public void DeleteDirectory(string path) => _real.DeleteDirectory(path);
    }

    [Fact]
    public async Task IssueAsync_Renewal_PublishesEventAfterFilesAreInPlace()
    {
        var manager = _fixture.Start();
        using var subscription = _fixture.Events.Subscribe();

        await manager.IssueAsync("auth-service", CancellationToken.None);
        await manager.IssueAsync("auth-service", CancellationToken.None);

        var first = await subscription.Changes.ReadAsync();
        var second = await subscription.Changes.ReadAsync();
        (first.Kind, first.Service).ShouldBe((CertificateChangeKind.Issued, "auth-service"));
        (second.Kind, second.Service).ShouldBe((CertificateChangeKind.Renewed, "auth-service"));
        second.CertificatePath.ShouldBe(_fixture.PathOf("auth-service.crt"));
        _fixture.Leaf("auth-service").SerialNumber.ShouldBe(second.Certificate!.Serial);
    }

    [Fact]
    public async Task IssueAsync_AfterRenewal_VisibleFilesAreRelativeLinksIntoOneGeneration()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("lucid-mongodb", CancellationToken.None);
        var renewed = await manager.IssueAsync("lucid-mongodb", CancellationToken.None);

        new FileInfo(_fixture.PathOf("lucid-mongodb.crt")).LinkTarget.ShouldBe(".svid/lucid-mongodb/current/svid.crt");
        new FileInfo(_fixture.PathOf("lucid-mongodb.key")).LinkTarget.ShouldBe(".svid/lucid-mongodb/current/svid.key");
        new DirectoryInfo(Path.Combine(_fixture.Folder, ".svid", "lucid-mongodb", "current")).LinkTarget.ShouldBe(renewed.Certificate.Serial);
        Directory.GetFiles(_fixture.Folder, "*.tmp").ShouldBeEmpty();
    }

    public void Dispose() => _fixture.Dispose();
}
