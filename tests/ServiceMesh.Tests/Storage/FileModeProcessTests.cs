using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using Xunit.Abstractions;

namespace ServiceMesh.Tests.Storage;

/// <summary>
/// The real executable under a hostile and a strict umask: every file and folder it creates has the mode of the rule
/// (secrets and state 0600/0700, what a sidecar of another user reads 0644/0755), whatever the umask.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class FileModeProcessTests(ITestOutputHelper output) : IDisposable
{
    private const UnixFileMode Private = (UnixFileMode)0b110_000_000; // 0600
    private const UnixFileMode PrivateFolder = (UnixFileMode)0b111_000_000; // 0700
    private const UnixFileMode Readable = (UnixFileMode)0b110_100_100; // 0644
    private const UnixFileMode ReadableFolder = (UnixFileMode)0b111_101_101; // 0755

    // The rule, first match wins, on paths relative to the test folder. Symbolic links have no mode of their own: skipped.
    private static readonly (Regex Path, UnixFileMode File, UnixFileMode Folder)[] Rule =
    [
        (CaKey(), Private, PrivateFolder),
        (LeafKey(), Private, ReadableFolder),
        (LeafBundle(), Private, ReadableFolder),
        (Certificates(), Readable, ReadableFolder),
        (EnvoyCertificateSecret(), Private, ReadableFolder),
        (EnvoyConfigs(), Readable, ReadableFolder),
        (State(), Private, PrivateFolder),
    ];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("000")]
    [InlineData("022")]
    [InlineData("077")]
    public async Task Run_UnderUmask_EveryFileAndFolderHasTheModeOfTheRule(string umask)
    {
        var environment = MeshEnvironment.For(_folder);
        var httpPort = int.Parse(environment["HTTP_PORT"]!, CultureInfo.InvariantCulture);
        var consulPort = int.Parse(environment["EMBEDDED_CONSUL_HTTP_PORT"]!, CultureInfo.InvariantCulture);
        var endpoint = new ConsulEndpoint(new Uri($"http://127.0.0.1:{consulPort}/"));
        var consul = new ConsulClient(ConsulClient.CreateHttpClient(endpoint), endpoint);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };

        using (var process = MeshProcess.StartWithUmask(environment, umask))
        {
            await HttpWaits.WaitForListeningAsync(consulPort, process, TimeSpan.FromSeconds(60));
            await HttpWaits.WaitForListeningAsync(httpPort, process, TimeSpan.FromSeconds(60));
            await consul.RegisterAsync(new AgentServiceRegistration { Name = "billing", Address = "127.0.0.1", Port = 9100, Tags = ["mesh"] }, default);
            (await consul.KvPutAsync("config/secret", "kv value"u8.ToArray(), default)).ShouldBeTrue();
            using (var posted = await http.PostAsJsonAsync("envoy/configs/reports", new { service_address = "127.0.0.1", service_port = 9200 }))
            {
                posted.EnsureSuccessStatusCode();
            }

            await WaitForFilesAsync(process,
                "certificates/ca.key", "certificates/ca.crt", "certificates/ca.crl", "certificates/billing.key", "certificates/reports.crt", "certificates/billing.pem",
                "envoy-configs/billing.yaml", "envoy-configs/billing/sds-cert.yaml", "envoy-configs/reports/cds.yaml",
                "data/registry/registry.log", "data/envoy/registrations.json");
            process.Terminate();
            (await process.WaitAsync(TimeSpan.FromSeconds(30))).ExitCode.ShouldBe(0);
        }

        var found = Walk();
        output.WriteLine($"umask {umask}:");
        foreach (var (path, mode, _) in found)
        {
            output.WriteLine($"  {Octal(mode)} {path}");
        }

        found.Select(f => f.Path).ShouldContain(p => LeafKey().IsMatch(p), "a leaf key in its generation folder");
        var wrong = found.Where(f => f.Mode != f.Expected).Select(f => $"{f.Path}: {Octal(f.Mode)}, expected {Octal(f.Expected)}").ToList();
        wrong.ShouldBeEmpty($"under umask {umask}");
    }

    private async Task WaitForFilesAsync(MeshProcess process, params string[] paths)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string[] missing;
        while ((missing = [.. paths.Where(p => !File.Exists(_folder.Combine(p)))]).Length > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"service-mesh (pid {process.Id}) did not write {string.Join(", ", missing)}");
            }

            await Task.Delay(100);
        }
    }

    // Every entry the runtime made under the folders it writes (a folder's relative path ends with '/').
    private List<(string Path, UnixFileMode Mode, UnixFileMode Expected)> Walk()
    {
        var found = new List<(string, UnixFileMode, UnixFileMode)>();
        foreach (var root in new[] { "certificates", "envoy-configs", "data", "logs" })
        {
            var top = new DirectoryInfo(_folder.Combine(root));
            found.Add(Entry(top));
            var skipLinks = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false };
            foreach (var entry in top.EnumerateFileSystemInfos("*", skipLinks))
            {
                found.Add(Entry(entry));
            }
        }
        return [.. found.OrderBy(f => f.Item1, StringComparer.Ordinal)];
    }

    private (string, UnixFileMode, UnixFileMode) Entry(FileSystemInfo entry)
    {
        var folder = entry is DirectoryInfo;
        var relative = Path.GetRelativePath(_folder.Path, entry.FullName).Replace('\\', '/') + (folder ? "/" : "");
        var (_, file, folderMode) = Rule.First(r => r.Path.IsMatch(relative));
        return (relative, entry.UnixFileMode, folder ? folderMode : file);
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    [GeneratedRegex(@"^certificates/ca\.key$")]
    private static partial Regex CaKey();

    [GeneratedRegex(@"^certificates/\.svid/[^/]+/[^/]+/svid\.key$")]
    private static partial Regex LeafKey();

    [GeneratedRegex(@"^certificates/[^/]+\.pem$")]
    private static partial Regex LeafBundle();

    [GeneratedRegex(@"^envoy-configs/[^/]+/sds-cert\.yaml$")]
    private static partial Regex EnvoyCertificateSecret();

    [GeneratedRegex(@"^certificates/")]
    private static partial Regex Certificates();

    [GeneratedRegex(@"^envoy-configs/")]
    private static partial Regex EnvoyConfigs();

    [GeneratedRegex(@"^(data|logs)/")]
    private static partial Regex State();
}
