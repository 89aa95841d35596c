using ServiceMesh.Configuration;
using ServiceMesh.Storage;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Hosting;

/// <summary>
/// Unwritable folders. Tests run as root, where permission bits do not stop writes, so the unwritable path is one
/// below a regular file (`&lt;tmp&gt;/file/certs`): creating it fails with a real system error, as a read-only mount would.
/// </summary>
public sealed class PreflightTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Probe_MissingFolder_CreatesItAndLeavesNoProbeFile()
    {
        var path = _folder.Combine("a", "b");

        StorageProbe.Probe(new WritableFolder("DATA_PATH", path)).ShouldBeNull();

        Directory.Exists(path).ShouldBeTrue();
        Directory.EnumerateFileSystemEntries(path).ShouldBeEmpty();
    }

    [Fact]
    public void Probe_PathBelowRegularFile_ReportsPathErrorAndFix()
    {
        _folder.WriteFile("file", "not a folder");
        var path = _folder.Combine("file", "certs");

        var problem = StorageProbe.Probe(new WritableFolder("CERTIFICATES_PATH", path)).ShouldNotBeNull();

        problem.ToString().ShouldStartWith($"CERTIFICATES_PATH={path} is not writable: ");
        problem.ToString().ShouldEndWith($"Fix: mount a writable volume at {path}, owned by 65532:65532.");
    }

    [Fact]
    public async Task Run_UnwritableCertificatesPath_Exits73WithOneLine()
    {
        _folder.WriteFile("file", "not a folder");
        var environment = MeshEnvironment.For(_folder);
        environment["CERTIFICATES_PATH"] = _folder.Combine("file", "certs");

        var result = await MeshProcess.RunAsync(environment);

        result.ExitCode.ShouldBe(73);
        var line = result.ErrorLines.ShouldHaveSingleItem();
        line.ShouldContain(_folder.Combine("file", "certs"));
        line.ShouldContain("mount a writable volume at");
        line.ShouldContain("65532:65532");
    }

    [Fact]
    public async Task Run_WritableFolders_CreatesOnlyTheConfiguredFolders()
    {
        var environment = MeshEnvironment.For(_folder);
        using var process = MeshProcess.Start(environment);
        await HttpWaits.WaitForListeningAsync(int.Parse(environment["HTTP_PORT"]!, System.Globalization.CultureInfo.InvariantCulture), process, TimeSpan.FromSeconds(20));

        Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .ShouldBe(["certificates", "data", "envoy-configs", "logs"]);
        // The CA (and its CRL) is created at the first start; every other folder stays empty until something is written there.
        Directory.EnumerateFileSystemEntries(_folder.Combine("certificates")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe(["ca.crl", "ca.crt", "ca.key"]);
        foreach (var folder in Directory.EnumerateDirectories(_folder.Path).Where(f => Path.GetFileName(f) != "certificates"))
        {
            Directory.EnumerateFileSystemEntries(folder).ShouldBeEmpty();
        }

        process.Terminate();
        (await process.WaitAsync(TimeSpan.FromSeconds(15))).ExitCode.ShouldBe(0);
    }
}

/// <summary>
/// A real read-only mount, as in the image: a read-only bind mount inside a private mount namespace
/// (`unshare -m`, needs root/CAP_SYS_ADMIN), so nothing outside the child process sees it.
/// </summary>
public sealed class ReadOnlyMountTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_ReadOnlyCertificatesMount_Exits73WithSystemErrorAndFix()
    {
        var readOnly = _folder.Combine("certificates");
        Directory.CreateDirectory(readOnly);
        using var probe = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("unshare", ["-m", "true"]) { RedirectStandardError = true })!;
        await probe.WaitForExitAsync();
        Assert.True(probe.ExitCode == 0, "this test needs `unshare -m` (root with CAP_SYS_ADMIN): " + await probe.StandardError.ReadToEndAsync());
        var environment = MeshEnvironment.For(_folder);
        var dll = Path.Combine(AppContext.BaseDirectory, "service-mesh.dll");

        var result = await MeshProcess.RunCommandAsync(environment, "unshare", "-m", "sh", "-c",
            $"mount --bind -o ro '{readOnly}' '{readOnly}' && exec dotnet '{dll}'");

        result.ExitCode.ShouldBe(73);
        var line = result.ErrorLines.ShouldHaveSingleItem();
        line.ShouldStartWith($"storage error: CERTIFICATES_PATH={readOnly} is not writable: Read-only file system");
        line.ShouldEndWith($"Fix: mount a writable volume at {readOnly}, owned by 65532:65532.");
    }
}
