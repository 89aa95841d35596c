using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace ServiceMesh.Benchmarks.Durability;

/// <summary>
/// kill -9 trials on the real executable amid durable writes, certificate re-issues and torn-read watchers; after each
/// restart every acknowledged write and delete must hold and the CA files match the first trial's. Not a test
/// (minutes): <c>dotnet run -c Release --project tests/ServiceMesh.Benchmarks -- durability [trials] [seed]</c>.
/// </summary>
internal static class CrashTrials
{
    public static async Task<int> RunAsync(string[] args)
    {
        int trials = 100, seed = 13;
        if (args.Length > 0 && (!int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out trials) || trials < 1)
            || args.Length > 1 && !int.TryParse(args[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed) || args.Length > 2)
        {
            await Console.Error.WriteLineAsync($"durability [trials] [seed]: trials is a whole number of 1 or more, seed a whole number; got '{string.Join(' ', args)}'");
            return 2;
        }
        var random = new Random(seed);
        var root = Directory.CreateTempSubdirectory("crash-trials-").FullName;
        try
        {
            var mesh = TrialMesh.Create(root);
            var totals = new TrialTotals();
            string? caDigest = null;
            var process = await mesh.StartAsync();
            for (var trial = 1; trial <= trials; trial++)
            {
                var storm = new WriteStorm(mesh, trial);
                var readers = new TornReadWatch(mesh);
                var stop = new CancellationTokenSource();
                var running = Task.WhenAll(storm.RunAsync(stop.Token), readers.RunAsync(stop.Token));
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(200, 2000)));
                process.Kill(entireProcessTree: true); // SIGKILL: no shutdown code runs
                await process.WaitForExitAsync();
                await stop.CancelAsync();
                await running;
                process.Dispose();

                process = await mesh.StartAsync();
                var lost = await storm.CountLostAsync();
                var digest = mesh.CaDigest();
                caDigest ??= digest;
                totals.Add(storm, readers, lost, digest == caDigest);
                Console.WriteLine(FormattableString.Invariant(
                    $"trial {trial,3}: {storm.Acknowledged,5} acknowledged, {lost} lost, {readers.YamlParses,6} yaml parses ({readers.YamlTorn} torn), {readers.PairReads,6} pair reads ({readers.PairMismatches} mismatched)"));
            }
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            totals.Print(trials, seed);
            return totals.Failed ? 1 : 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

/// <summary>Sums over all trials, printed as the table the closing note quotes.</summary>
internal sealed class TrialTotals
{
    private long _acknowledged, _lost, _yamlParses, _yamlTorn, _pairReads, _pairMismatches, _caChanged;
    private readonly Dictionary<string, (long Reads, long Mismatches)> _pairsByPath = new(StringComparer.Ordinal);

    public bool Failed => _lost > 0 || _yamlTorn > 0 || _pairMismatches > 0 || _caChanged > 0;

    public void Add(WriteStorm storm, TornReadWatch readers, long lost, bool caSame)
    {
        _acknowledged += storm.Acknowledged;
        _lost += lost;
        _yamlParses += readers.YamlParses;
        _yamlTorn += readers.YamlTorn;
        _pairReads += readers.PairReads;
        _pairMismatches += readers.PairMismatches;
        _caChanged += caSame ? 0 : 1;
        foreach (var (path, counts) in readers.PairsByPath)
        {
            var sum = _pairsByPath.GetValueOrDefault(path);
            _pairsByPath[path] = (sum.Reads + counts.Reads, sum.Mismatches + counts.Mismatches);
        }
    }

    public void Print(int trials, int seed)
    {
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"| trials (seed {seed}) | acknowledged writes | lost | CA changed | Envoy YAML parses | torn |"));
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine(FormattableString.Invariant($"| {trials} | {_acknowledged} | {_lost} | {_caChanged} | {_yamlParses} | {_yamlTorn} |"));
        Console.WriteLine();
        Console.WriteLine("| certificate/key path | pair reads | mismatched |");
        Console.WriteLine("|---|---|---|");
        foreach (var (path, counts) in _pairsByPath.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(FormattableString.Invariant($"| {path} | {counts.Reads} | {counts.Mismatches} |"));
        }
    }
}

/// <summary>The folders and ports of the executable under trial; the same for every trial, so state carries over.</summary>
internal sealed record TrialMesh(string Root, int HttpPort, int ConsulPort, Dictionary<string, string> Environment)
{
    private const string MeshServices = """
        services:
          - name: web
            port: 18080
            mesh: { public_port: 21001, upstreams: [ { name: api, local_bind_port: 22001 } ] }
          - name: api
            port: 18081
            mesh: { public_port: 21002, upstreams: [ { name: db, local_bind_port: 22002 } ] }
          - name: db
            port: 18082
            protocol: tcp
            mesh: { public_port: 21003 }
        """;

    public string CertificatesPath => Environment["CERTIFICATES_PATH"];
    public string EnvoyPath => Environment["ENVOY_CONFIG_PATH"];
    public Uri Http => new($"http://127.0.0.1:{HttpPort}/");
    public Uri Consul => new($"http://127.0.0.1:{ConsulPort}/");

    public static TrialMesh Create(string root)
    {
        int http = LoopbackPort.Free(), consul = LoopbackPort.Free();
        var config = Path.Combine(root, "config");
        Directory.CreateDirectory(config);
        // Three mesh members calling each other, so certificates and every kind of Envoy file exist and change.
        File.WriteAllText(Path.Combine(config, "services.yaml"), MeshServices);
        File.Copy(Path.Combine(ShippedConfig(), "policies.yaml"), Path.Combine(config, "policies.yaml"));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SERVICE_MESH_HOST"] = "127.0.0.1",
            ["HTTP_PORT"] = http.ToString(CultureInfo.InvariantCulture),
            ["EMBEDDED_CONSUL_HTTP_PORT"] = consul.ToString(CultureInfo.InvariantCulture),
            ["EMBEDDED_CONSUL_HTTPS_PORT"] = LoopbackPort.Free().ToString(CultureInfo.InvariantCulture),
            ["EMBEDDED_DNS_PORT"] = LoopbackPort.Free().ToString(CultureInfo.InvariantCulture),
            ["CONFIG_PATH"] = config,
            ["CERTIFICATES_PATH"] = Path.Combine(root, "certificates"),
            ["ENVOY_CONFIG_PATH"] = Path.Combine(root, "envoy-configs"),
            ["DATA_PATH"] = Path.Combine(root, "data"),
            ["LOGS_PATH"] = Path.Combine(root, "logs"),
            ["LOG_LEVEL"] = "ERROR",
            ["LOG_FORMAT"] = "text",
            // Checks of services.yaml entries go to loopback: this machine's resolver is not on 127.0.0.0/8.
            ["SERVICES_DEFAULT_ADDRESS"] = "127.0.0.1",
        };
        return new TrialMesh(root, http, consul, environment);
    }

    /// <summary>Starts the executable and returns once its Consul port and Lucid API accept connections.</summary>
    public async Task<Process> StartAsync()
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "service-mesh.dll"));
        foreach (var (name, value) in Environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine($"  service-mesh: {line}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        foreach (var port in new[] { ConsulPort, HttpPort })
        {
            while (!await AcceptsAsync(port))
            {
                if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"service-mesh did not start listening on {port} (exit {(process.HasExited ? process.ExitCode : -1)})");
                }

                await Task.Delay(20);
            }
        }
        return process;
    }

    // src/ServiceMesh/config of the checkout this program was built from.
    private static string ShippedConfig()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ServiceMesh.sln")))
            {
                return Path.Combine(folder.FullName, "src", "ServiceMesh", "config");
            }
        }

        throw new InvalidOperationException($"no ServiceMesh.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>SHA-256 over the CA's files, to show they never change across crashes.</summary>
    public string CaDigest()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { "ca.crt", "ca.key" }.Select(f => Path.Combine(CertificatesPath, f)).Where(File.Exists))
        {
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
