using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServiceMesh.Tests.Certificates;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Tests.Envoy.Inputs;

/// <summary>
/// "A reader never pairs a certificate with the wrong key", for every documented way of reading a pair, while the
/// certificate is re-issued as fast as the CA can: the SDS secret Envoy loads, the single-file bundle, and the
/// generation folder resolved once. Readers spin on their own threads; each distinct content seen is checked after.
/// </summary>
public sealed class CertificatePairingTests(ITestOutputHelper output) : IDisposable
{
    private const string Service = "auth-service";
    private const int Reissues = 1_000;
    private const int ReadsPerPath = 100_000;

    // Folders on /dev/shm: the property is what a reader sees between renames, not durability, and 8 fsyncs per
    // re-issue on a shared disk would make the thousand re-issues take a minute.
    private readonly EnvoyTestMesh _mesh = new(inMemory: true);

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Read_DuringAThousandReissues_EveryDocumentedPathPairsEachCertificateWithItsOwnKey()
    {
        await _mesh.IssueAllAsync();
        _mesh.Generator.Generate()!.Result.Succeeded.ShouldBeTrue();
        var store = _mesh.Manager.Files;
        var sds = _mesh.PathOf($"{Service}/sds-cert.yaml");
        var serviceFolder = Path.GetDirectoryName(store.WatchedDirectory(Service) + "/")!;
        var readers = new PathReader[]
        {
            new("sds-cert.yaml (inline pair)", () => File.ReadAllText(sds), SdsPair),
            new($"{Service}.pem (key, leaf, chain)", () => File.ReadAllText(store.BundlePath(Service)), BundlePair),
            new(".svid/<svc>/current resolved once", () => ResolvedOnce(serviceFolder), TwoFiles),
        };
        // Measured, not asserted: two opens through two link lookups, the way the issue saw 260 mismatches.
        var separate = new PathReader($"{Service}.crt then {Service}.key", () => File.ReadAllText(store.CertificatePath(Service)) + Separator + File.ReadAllText(store.KeyPath(Service)), TwoFiles);

        // One reader thread visits every path in turn: the issuer keeps the other core, so the run stays short.
        using var stop = new CancellationTokenSource();
        var all = readers.Append(separate).ToArray();
        var thread = new Thread(() => PathReader.RunAll(all, stop.Token)) { IsBackground = true };
        thread.Start();
        var clock = Stopwatch.StartNew();
        var reissued = 0;
        try
        {
            // At least the thousand re-issues, and on until every path has been read a hundred thousand times.
            while (reissued < Reissues || readers.Any(r => r.Reads < ReadsPerPath))
            {
                // Paced to the readers (a re-issue per hundred reads of each path), so the two end together and the
                // reader thread is not starved of the CPU by re-issues nobody reads.
                while (reissued >= Reissues * readers.Min(r => r.Reads) / ReadsPerPath + 1 && reissued < Reissues)
                {
                    await Task.Delay(1);
                }

                await _mesh.IssueAsync(Service);
                _mesh.Generator.Generate()!.Result.Succeeded.ShouldBeTrue(); // sds-cert.yaml follows, as the generation loop does
                reissued++;
                readers.ShouldAllBe(r => r.Error == null);
                (clock.Elapsed < TimeSpan.FromMinutes(5)).ShouldBeTrue($"readers stalled: {string.Join(", ", readers.Select(r => $"{r.Name} {r.Reads}"))}");
            }
        }
        finally
        {
            stop.Cancel();
            thread.Join();
        }

        output.WriteLine($"{reissued} re-issues in {clock.Elapsed.TotalSeconds:0.0} s");
        var checkedPairs = new PairCheck();
        foreach (var reader in readers.Append(separate))
        {
            var mismatched = reader.Seen.Where(p => !checkedPairs.Matches(reader.Parse(p.Key))).Sum(p => p.Value);
            output.WriteLine($"{reader.Name}: {reader.Reads:N0} reads, {reader.Seen.Count:N0} distinct pairs, {mismatched:N0} mismatched");
            if (reader != separate)
            {
                reader.Error.ShouldBeNull();
                reader.Reads.ShouldBeGreaterThanOrEqualTo(ReadsPerPath);
                reader.Seen.Count.ShouldBeGreaterThan(Reissues / 10, $"{reader.Name} saw the pair change");
                mismatched.ShouldBe(0, reader.Name);
            }
        }
        reissued.ShouldBeGreaterThanOrEqualTo(Reissues);
    }

    private static (string Chain, string Key) SdsPair(string text)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        var certificate = ((YamlMappingNode)yaml.Documents[0].RootNode).Resources().Single().At("tls_certificate");
        return (certificate.Text("certificate_chain", "inline_string"), certificate.Text("private_key", "inline_string"));
    }

    // The key comes first, then the leaf: a reader that takes "the first certificate" gets the key's own.
    private static (string Chain, string Key) BundlePair(string text)
    {
        var key = text.IndexOf("PRIVATE KEY-----", StringComparison.Ordinal);
        var certificate = text.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
        (key >= 0 && key < certificate).ShouldBeTrue("the bundle holds the key, then the certificates");
        return (text[certificate..], text[..certificate]);
    }

    // What the README tells a program that needs two files to do: resolve current once, open both files in that folder.
    private static string ResolvedOnce(string serviceFolder)
    {
        while (true)
        {
            var generation = Path.Combine(serviceFolder, new DirectoryInfo(Path.Combine(serviceFolder, "current")).LinkTarget!);
            try
            {
                return File.ReadAllText(Path.Combine(generation, "svid.crt")) + Separator + File.ReadAllText(Path.Combine(generation, "svid.key"));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // That generation was removed after two more swaps: resolve again.
            }
        }
    }

    private const char Separator = '\0';

    private static (string Chain, string Key) TwoFiles(string text) => (text[..text.IndexOf(Separator)], text[(text.IndexOf(Separator) + 1)..]);

    /// <summary>Whether the leaf (the first certificate) holds the key's public half; each distinct pair is checked once.</summary>
    private sealed class PairCheck
    {
        private readonly Dictionary<(string Chain, string Key), bool> _checked = [];

        public bool Matches((string Chain, string Key) pair)
        {
            if (_checked.TryGetValue(pair, out var known))
            {
                return known;
            }

            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(pair.Chain);
            using var key = ECDsa.Create();
            key.ImportFromPem(pair.Key);
            return _checked[pair] = chain[0].PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo());
        }
    }

    /// <summary>Reads one path in a tight loop; counts reads and each distinct content (parsed and checked once, after the run).</summary>
    private sealed class PathReader(string name, Func<string> read, Func<string, (string Chain, string Key)> parse)
    {
        private readonly Func<string> _read = read;
        public string Name => name;
        public (string Chain, string Key) Parse(string content) => parse(content);
        public Dictionary<string, int> Seen { get; } = new(StringComparer.Ordinal);
        public Exception? Error { get; private set; }
        private int _reads;
        public int Reads => Volatile.Read(ref _reads);

        public static void RunAll(PathReader[] readers, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var reader in readers)
                {
                    if (reader.Error is not null)
                    {
                        continue;
                    }

                    try
                    {
                        var content = reader._read();
                        reader.Seen[content] = reader.Seen.GetValueOrDefault(content) + 1;
                        Interlocked.Increment(ref reader._reads);
                    }
                    catch (Exception e)
                    {
                        reader.Error = e;
                    }
                }
            }
        }
    }
}
