using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Benchmarks.Durability;

/// <summary>
/// Readers beside the storm, reading as sidecars and other programs do: every Envoy YAML parsed whole (a torn file
/// fails), every certificate paired with its key on each documented path (two links in turn, <c>current</c> resolved
/// once, the one-file bundle, inline in <c>sds-cert.yaml</c>). A key that does not match its certificate is a mismatch.
/// </summary>
internal sealed class TornReadWatch(TrialMesh mesh)
{
    /// <summary>The two links read one after the other: documented as unsafe (the README says so), measured, not a failure.</summary>
    public const string UnsafePairPath = "<svc>.crt + <svc>.key (measured only: documented as unsafe)";

    private long _yamlParses, _yamlTorn;
    private readonly Dictionary<string, (long Reads, long Mismatches)> _pairs = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public long YamlParses => Interlocked.Read(ref _yamlParses);
    public long YamlTorn => Interlocked.Read(ref _yamlTorn);
    public long PairReads { get { lock (_gate) { return _pairs.Values.Sum(p => p.Reads); } } }
    public long PairMismatches { get { lock (_gate) { return _pairs.Where(p => p.Key != UnsafePairPath).Sum(p => p.Value.Mismatches); } } }
    public IReadOnlyDictionary<string, (long Reads, long Mismatches)> PairsByPath { get { lock (_gate) { return new Dictionary<string, (long, long)>(_pairs); } } }

    /// <summary>Services with a certificate in CERTIFICATES_PATH (a <c>.svid/&lt;name&gt;</c> folder).</summary>
    public static IReadOnlyList<string> CertifiedServices(string certificates)
    {
        var state = Path.Combine(certificates, ".svid");
        return Directory.Exists(state) ? [.. Directory.EnumerateDirectories(state).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)] : [];
    }

    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Task.Run(() => ReadYaml(stop), CancellationToken.None), Task.Run(() => ReadPairs(stop), CancellationToken.None));

    private void ReadYaml(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var file in Files(mesh.EnvoyPath, "*.yaml"))
            {
                if (Read(file) is not { } text)
                {
                    continue;
                }

                Interlocked.Increment(ref _yamlParses);
                try
                {
                    new YamlStream().Load(new StringReader(text));
                    if (text.Length == 0)
                    {
                        Interlocked.Increment(ref _yamlTorn);
                    }
                }
                catch (YamlException)
                {
                    Interlocked.Increment(ref _yamlTorn);
                }
            }
        }
    }

    private void ReadPairs(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var service in CertifiedServices(mesh.CertificatesPath))
            {
                var folder = mesh.CertificatesPath;
                Pair(UnsafePairPath, Read(Path.Combine(folder, service + ".crt")), () => Read(Path.Combine(folder, service + ".key")));
                var current = ResolveCurrent(Path.Combine(folder, ".svid", service, "current"));
                if (current is not null)
                {
                    Pair(".svid/<svc>/current/ (resolved once)", Read(Path.Combine(current, "svid.crt")), () => Read(Path.Combine(current, "svid.key")));
                }

                if (Read(Path.Combine(folder, service + ".pem")) is { } bundle)
                {
                    Pair("<svc>.pem", bundle, () => bundle);
                }

                if (Read(Path.Combine(mesh.EnvoyPath, service, "sds-cert.yaml")) is { } sds && InlinePair(sds) is { } inline)
                {
                    Pair("envoy <svc>/sds-cert.yaml (inline)", inline.Chain, () => inline.Key);
                }
            }
        }
    }

    private void Pair(string path, string? certificate, Func<string?> key)
    {
        if (certificate is null || key() is not { } keyText)
        {
            return;
        }

        bool matches;
        try
        {
            using var pair = X509Certificate2.CreateFromPem(certificate, keyText);
            matches = true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException) // "the provided key does not match"
        {
            matches = false;
        }
        lock (_gate)
        {
            var counts = _pairs.GetValueOrDefault(path);
            _pairs[path] = (counts.Reads + 1, counts.Mismatches + (matches ? 0 : 1));
        }
    }

    private static (string Chain, string Key)? InlinePair(string yaml)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            var chain = Find(stream.Documents[0].RootNode, "certificate_chain");
            var key = Find(stream.Documents[0].RootNode, "private_key");
            return chain is not null && key is not null ? (chain, key) : null;
        }
        catch (YamlException)
        {
            return null; // counted by the YAML reader
        }
    }

    // The inline_string under the first mapping key of that name, anywhere in the document.
    private static string? Find(YamlNode node, string name) => node switch
    {
        YamlMappingNode map => map.Children.Select(c =>
            c.Key is YamlScalarNode { Value: var k } && k == name && c.Value is YamlMappingNode value
                && value.Children.TryGetValue(new YamlScalarNode("inline_string"), out var inline) ? ((YamlScalarNode)inline).Value
            : Find(c.Value, name)).FirstOrDefault(v => v is not null),
        YamlSequenceNode list => list.Children.Select(c => Find(c, name)).FirstOrDefault(v => v is not null),
        _ => null,
    };

    private static string? ResolveCurrent(string link)
    {
        try
        {
            return new DirectoryInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string[] Files(string folder, string pattern)
    {
        try
        {
            return Directory.Exists(folder) ? Directory.GetFiles(folder, pattern, SearchOption.AllDirectories) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // not there (yet): nothing read, nothing to count
        }
    }
}
