using System.Formats.Tar;
using ServiceMesh.Build.Image;

namespace ServiceMesh.Build.Tests.Image;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ReproducibleTarTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("tar-");

    [Fact]
    public void Write_SameContentWithOtherTimes_GivesIdenticalBytes()
    {
        var first = Pack(Populate("a", new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        var second = Pack(Populate("b", new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc)));

        second.ShouldBe(first);
    }

    [Fact]
    public void Write_Entries_AreSortedNumericOwnedWithModesAndLinks()
    {
        var tree = Populate("c", DateTime.UtcNow);

        using var reader = new TarReader(new MemoryStream(Pack(tree)));
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry() is { } entry)
        {
            entries.Add(entry);
        }

        entries.Select(e => e.Name).ShouldBe(["etc/", "etc/passwd", "home/", "home/nonroot/", "tmp/", "usr/", "usr/lib/", "usr/lib/libz.so", "usr/lib/libz.so.1"]);
        entries.Single(e => e.Name == "home/nonroot/").Uid.ShouldBe(65532);
        entries.Single(e => e.Name == "etc/passwd").Uid.ShouldBe(0);
        entries.Single(e => e.Name == "tmp/").Mode.HasFlag(UnixFileMode.StickyBit).ShouldBeTrue();
        var link = entries.Single(e => e.Name == "usr/lib/libz.so");
        link.EntryType.ShouldBe(TarEntryType.SymbolicLink);
        link.LinkName.ShouldBe("libz.so.1");
        entries.ShouldAllBe(e => e.ModificationTime == ReproducibleTar.FixedTime);
    }

    private string Populate(string name, DateTime time)
    {
        var root = Path.Combine(_root.FullName, name);
        Directory.CreateDirectory(Path.Combine(root, "usr/lib"));
        Directory.CreateDirectory(Path.Combine(root, "home/nonroot"));
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        File.SetUnixFileMode(Path.Combine(root, "tmp"), (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "etc/passwd"), "root:x:0:0::/root:/sbin/nologin\n");
        File.WriteAllText(Path.Combine(root, "usr/lib/libz.so.1"), "elf");
        File.CreateSymbolicLink(Path.Combine(root, "usr/lib/libz.so"), "libz.so.1");
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Where(p => new FileInfo(p).LinkTarget is null))
        {
            File.SetLastWriteTimeUtc(path, time);
        }

        return root;
    }

    private static byte[] Pack(string root)
    {
        using var buffer = new MemoryStream();
        ReproducibleTar.Write(root, buffer, new Dictionary<string, TarOwner> { ["home/nonroot"] = new(65532, 65532) });
        return buffer.ToArray();
    }

    public void Dispose() => _root.Delete(recursive: true);
}
