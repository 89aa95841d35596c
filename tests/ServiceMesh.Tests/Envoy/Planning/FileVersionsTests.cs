using ServiceMesh.Envoy.Planning;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Envoy.Planning;

/// <summary>The SDS version of a certificate file follows every swap of the pair, even when time and size look unchanged.</summary>
public sealed class FileVersionsTests : IDisposable
{
    private static readonly DateTime SameTime = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Of_PairFolderRelinkedToSameSizeSameTimeFile_NewVersion()
    {
        var link = Layout("svc");
        var versions = new FileVersions();
        var first = versions.Of(link);

        Relink(Path.Combine(_folder.Path, ".svid", "svc", "current"), "serial-2");

        var second = versions.Of(link);
        second.ShouldNotBe(first);
        second.ShouldNotBe(FileVersions.None);
        versions.Of(link).ShouldBe(second, "unchanged now: the cached hash is reused");
    }

    [Fact]
    public void Of_MissingFile_None()
    {
        new FileVersions().Of(Path.Combine(_folder.Path, "absent.crt")).ShouldBe(FileVersions.None);
    }

    // <svc>.crt -> .svid/<svc>/current/<svc>.crt, current -> serial-1; serial-2 holds different bytes of the same size and time.
    private string Layout(string service)
    {
        var pairs = Path.Combine(_folder.Path, ".svid", service);
        foreach (var (serial, fill) in new[] { ("serial-1", 'a'), ("serial-2", 'b') })
        {
            var file = Path.Combine(pairs, serial, service + ".crt");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, new string(fill, 600));
            File.SetLastWriteTimeUtc(file, SameTime);
        }
        Directory.CreateSymbolicLink(Path.Combine(pairs, "current"), "serial-1");
        var link = Path.Combine(_folder.Path, service + ".crt");
        File.CreateSymbolicLink(link, Path.Combine(".svid", service, "current", service + ".crt"));
        return link;
    }

    private static void Relink(string link, string target)
    {
        var temporary = link + ".new";
        Directory.CreateSymbolicLink(temporary, target);
        ServiceMesh.Storage.LibC.RenameOver(temporary, link); // as the certificate store swaps it: rename(2) of the link itself
    }
}
