using Microsoft.Extensions.Logging;
using ServiceMesh.Configuration;
using ServiceMesh.Hosting;
using ServiceMesh.Storage;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Storage;

/// <summary>Issue 13 item 3: a kill between AtomicFile's write and rename leaves its temporary; the next start removes exactly those.</summary>
public sealed class LeftoverTemporariesTests : IDisposable
{
    private static readonly string Guid32 = Guid.NewGuid().ToString("N");
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void IsTemporaryName_NameAtomicFileWrites_True() =>
        AtomicFile.IsTemporaryName(Path.GetFileName(AtomicFile.TemporaryPathFor("/data/registry/registry.snapshot"))).ShouldBeTrue();

    [Theory]
    [InlineData(".foo.tmp")]
    [InlineData("x.tmp")]
    [InlineData(".a.b.tmp")]
    [InlineData("registry.snapshot")]
    [InlineData(".registry.snapshot.0123456789abcdef0123456789abcde.tmp")] // 31 hex digits
    [InlineData(".registry.snapshot.0123456789ABCDEF0123456789ABCDEF.tmp")] // upper case: not Guid "N"
    [InlineData(".registry.snapshot.0123456789abcdef0123456789abcdef.tmp.bak")]
    [InlineData("registry.snapshot.0123456789abcdef0123456789abcdef.tmp")] // no leading dot
    [InlineData("..0123456789abcdef0123456789abcdef.tmp.x")]
    public void IsTemporaryName_LookAlike_False(string name) => AtomicFile.IsTemporaryName(name).ShouldBeFalse();

    [Fact]
    public async Task Build_LeftoversInEveryWrittenFolder_RemovedLookAlikesKeptOneLinePerFolder()
    {
        var environment = MeshEnvironment.For(_folder);
        environment["LOG_LEVEL"] = "INFO";
        var options = MeshConfiguration.Load(environment).Options!;
        // What a kill during compaction leaves: a 1 MB snapshot temporary in DATA_PATH/registry.
        var snapshot = Write(Path.Combine(options.DataPath, "registry", $".registry.snapshot.{Guid32}.tmp"), new byte[1024 * 1024]);
        var leftovers = new[]
        {
            snapshot,
            Write(Path.Combine(options.DataPath, "envoy", $".registrations.json.{Guid.NewGuid():N}.tmp")),
            Write(Path.Combine(options.EnvoyConfigPath, "api-gateway", $".cds.yaml.{Guid.NewGuid():N}.tmp")),
            Write(Path.Combine(options.EnvoyConfigPath, $".api-gateway.yaml.{Guid.NewGuid():N}.tmp")),
            Write(Path.Combine(options.CertificatesPath, $".ca.crl.{Guid.NewGuid():N}.tmp")),
        };
        var kept = new[]
        {
            Write(Path.Combine(options.DataPath, "registry", ".foo.tmp")),
            Write(Path.Combine(options.DataPath, "registry", "x.tmp")),
            Write(Path.Combine(options.DataPath, "registry", ".a.b.tmp")),
            Write(Path.Combine(options.DataPath, "registry", "registry.snapshot")),
            Write(Path.Combine(options.EnvoyConfigPath, $".api-gateway.yaml.{Guid32.ToUpperInvariant()}.tmp")),
            Write(Path.Combine(options.CertificatesPath, $"ca.crl.{Guid32}.tmp")),
            Write(Path.Combine(options.LogsPath, $".app.log.{Guid.NewGuid():N}.tmp")), // not a folder the runtime writes files in
        };
        // A link out of the folder is not followed: what lies behind it is not the runtime's.
        var outside = Write(_folder.Combine("elsewhere", $".foreign.{Guid.NewGuid():N}.tmp"));
        File.CreateSymbolicLink(Path.Combine(options.DataPath, "linked"), Path.GetDirectoryName(outside)!);
        var logs = new LogCapture();

        await using var app = MeshApplication.Build(options, builder => builder.Logging.AddProvider(logs), environment);

        leftovers.ShouldAllBe(path => !File.Exists(path));
        kept.ShouldAllBe(path => File.Exists(path));
        File.Exists(outside).ShouldBeTrue();
        var lines = logs.Lines.Where(l => l.Message.StartsWith("Removed ", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        lines.ShouldBe([
            $"Removed 1 leftover temporary file(s) of interrupted writes from CERTIFICATES_PATH={options.CertificatesPath}",
            $"Removed 2 leftover temporary file(s) of interrupted writes from ENVOY_CONFIG_PATH={options.EnvoyConfigPath}",
            $"Removed 2 leftover temporary file(s) of interrupted writes from DATA_PATH={options.DataPath}",
        ], ignoreOrder: true);
    }

    [Fact]
    public void Remove_FolderMissing_NothingAndNoError()
    {
        var outcome = LeftoverTemporaries.Remove(_folder.Combine("missing"));

        (outcome.Removed, outcome.Failures.Count).ShouldBe((0, 0));
    }

    private static string Write(string path, byte[]? content = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content ?? [1, 2, 3]);
        return path;
    }
}
