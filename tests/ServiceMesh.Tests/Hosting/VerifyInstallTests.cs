using ServiceMesh.Hosting;
using ServiceMesh.Install;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Hosting;

/// <summary>A prepared install: &lt;tmp&gt;/app (executable + default config), markers in &lt;tmp&gt;/markers with root "/app".</summary>
public sealed class VerifyInstallTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public VerifyInstallTests()
    {
        _folder.WriteFile("app/service-mesh", "native binary");
        foreach (var config in InstallLayout.DefaultConfigFiles)
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, config), _folder.WriteFile("app/" + config, ""), overwrite: true);
        }

        Directory.CreateDirectory(_folder.Combine("markers"));
    }

    public void Dispose() => _folder.Dispose();

    private async Task WriteMarkerAsync(string name, params string[] files)
    {
        var marker = await MarkerDigest.CreateAsync(name, "1.0.0", new string('a', 40), DateTimeOffset.UtcNow, "/app", files, _folder.Path, default);
        await File.WriteAllTextAsync(_folder.Combine("markers", name + ".json"), MarkerDigest.Serialize(marker));
    }

    private async Task<(int ExitCode, string[] Lines)> VerifyAsync()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await VerifyInstallCommand.RunAsync(
            ["--app-dir", _folder.Combine("app"), "--markers", _folder.Combine("markers"), "--root-prefix", _folder.Path], new Dictionary<string, string?>(), output, error);
        return (exitCode, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task VerifyInstall_GoodMarkers_Exits0AndPrintsEachCheck()
    {
        await WriteMarkerAsync("application", "config/services.yaml", "service-mesh");
        await WriteMarkerAsync("config", "config/policies.yaml", "config/service-mesh.yaml", "config/services.yaml");

        var (exitCode, lines) = await VerifyAsync();

        exitCode.ShouldBe(0, string.Join('\n', lines));
        lines.ShouldContain(l => l.StartsWith("ok   ", StringComparison.Ordinal) && l.Contains("executable", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("marker 'application' 1.0.0", StringComparison.Ordinal) && l.Contains("2 file(s) match", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("marker 'config' 1.0.0", StringComparison.Ordinal));
        lines[^1].ShouldBe("verify-install: 7 passed, 0 failed");
    }

    [Fact]
    public async Task VerifyInstall_EmptyMarker_Exits1NamingIt()
    {
        await WriteMarkerAsync("application", "service-mesh");
        await File.WriteAllTextAsync(_folder.Combine("markers", "config.json"), "");

        var (exitCode, lines) = await VerifyAsync();

        exitCode.ShouldBe(1);
        lines.ShouldContain($"FAIL {_folder.Combine("markers", "config.json")}: invalid marker: the file is empty");
    }

    [Fact]
    public async Task VerifyInstall_TamperedFile_Exits1WithDigestMismatch()
    {
        await WriteMarkerAsync("application", "config/services.yaml", "service-mesh");
        await File.AppendAllTextAsync(_folder.Combine("app", "config", "services.yaml"), "  - name: intruder\n");

        var (exitCode, lines) = await VerifyAsync();

        exitCode.ShouldBe(1);
        lines.ShouldContain(l => l.StartsWith($"FAIL {_folder.Combine("markers", "application.json")}: marker 'application' digest mismatch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyInstall_VouchedFileMissing_Exits1NamingTheFile()
    {
        await WriteMarkerAsync("application", "config/services.yaml", "service-mesh");
        File.Delete(_folder.Combine("app", "config", "services.yaml"));

        var (exitCode, lines) = await VerifyAsync();

        exitCode.ShouldBe(1);
        lines.ShouldContain(l => l.Contains("vouches for missing file(s)", StringComparison.Ordinal) && l.EndsWith("config/services.yaml", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("FAIL ", StringComparison.Ordinal) && l.Contains("default config is missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyInstall_NoMarkers_Exits1()
    {
        var (exitCode, lines) = await VerifyAsync();

        exitCode.ShouldBe(1);
        lines.ShouldContain($"FAIL {_folder.Combine("markers")}: markers folder has no <name>.json marker");
    }

    [Fact]
    public async Task VerifyInstall_MissingExecutable_Exits1()
    {
        await WriteMarkerAsync("config", "config/services.yaml");
        File.Delete(_folder.Combine("app", "service-mesh"));

        var (exitCode, lines) = await VerifyAsync();

        exitCode.ShouldBe(1);
        lines.ShouldContain($"FAIL {_folder.Combine("app", "service-mesh")}: executable is missing");
    }

    [Fact]
    public async Task VerifyInstall_RealExecutable_UsesMarkersPathAndReportsExitCode()
    {
        await WriteMarkerAsync("application", "service-mesh");
        await File.WriteAllTextAsync(_folder.Combine("markers", "empty.json"), "");

        var result = await MeshProcess.RunAsync(new Dictionary<string, string?> { ["MARKERS_PATH"] = _folder.Combine("markers") },
            "verify-install", "--app-dir", _folder.Combine("app"), "--root-prefix", _folder.Path);

        result.ExitCode.ShouldBe(1);
        result.Output.ShouldContain("marker 'application' 1.0.0");
        result.Output.ShouldContain($"FAIL {_folder.Combine("markers", "empty.json")}: invalid marker: the file is empty");
    }
}
