using System.Collections.Concurrent;
using System.Text;
using ServiceMesh.Storage;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Storage;

/// <summary>The one atomic replacement every durable file goes through (Envoy files, certificates, CA, registry snapshot).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AtomicFileTests
{
    [Fact]
    public async Task WriteIfChanged_ReaderPollingThrough1000Updates_NeverReadsAPartialFile()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("svc", "lds.yaml");
        // Large, distinct versions: a non-atomic write would be caught mid-way by a reader this busy.
        var versions = Enumerable.Range(0, 1000).Select(i => $"version: {i}\n" + new string((char)('a' + i % 26), 256 * 1024) + $"\nend: {i}\n").ToList();
        var allowed = versions.ToHashSet(StringComparer.Ordinal);
        AtomicFile.WriteIfChanged(path, versions[0], FileModes.Readable);
        var bad = new ConcurrentBag<string>();
        var reads = 0;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var text = File.ReadAllText(path, Encoding.UTF8);
                Interlocked.Increment(ref reads);
                if (!allowed.Contains(text))
                {
                    bad.Add(text.Length > 40 ? text[..40] : text);
                }
            }
        });

        foreach (var version in versions.Skip(1))
        {
            AtomicFile.WriteIfChanged(path, version, FileModes.Readable).ShouldBeTrue();
        }

        stop.Cancel();
        await reader;

        bad.ShouldBeEmpty();
        reads.ShouldBeGreaterThan(0);
        File.ReadAllText(path).ShouldBe(versions[^1]);
        Directory.GetFiles(folder.Combine("svc")).ShouldBe([path]); // no temporary files left behind
    }

    [Fact]
    public void Write_WithMode_FileCreatedWithThatModeAndNoTemporaryLeft()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("secret.key");

        AtomicFile.Write(path, "key"u8, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.GetFiles(folder.Path).ShouldBe([path]);
    }

    [Fact]
    public void WriteIfChanged_PrivateFileInMissingFolders_EachCreatedFolderIsPrivate()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("data", "envoy", "registrations.json");

        AtomicFile.WriteIfChanged(path, "{}", FileModes.Private).ShouldBeTrue();

        File.GetUnixFileMode(path).ShouldBe(FileModes.Private);
        File.GetUnixFileMode(folder.Combine("data", "envoy")).ShouldBe(FileModes.PrivateFolder);
        File.GetUnixFileMode(folder.Combine("data")).ShouldBe(FileModes.PrivateFolder);
    }

    [Fact]
    public void WriteIfChanged_SameContentOtherMode_RewrittenWithTheMode()
    {
        using var folder = new TempFolder();
        var path = folder.WriteFile("svc.yaml", "same");
        File.SetUnixFileMode(path, (UnixFileMode)0b110_110_110); // 0666, as an earlier version left it under umask 000

        AtomicFile.WriteIfChanged(path, "same", FileModes.Readable).ShouldBeTrue();
        AtomicFile.WriteIfChanged(path, "same", FileModes.Readable).ShouldBeFalse();

        File.GetUnixFileMode(path).ShouldBe(FileModes.Readable);
    }
}
