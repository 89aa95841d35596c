using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.AspNetCore.Builder;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Hosting;

namespace ServiceMesh.Benchmarks.Envoy;

/// <summary>
/// The whole path a user sees, in one real host: a Consul registration over HTTP (fsync'd), the catalog watcher's
/// blocking query and its 50 ms debounce, the Envoy generation's 20 ms debounce, render and the atomic rename of
/// the caller's cds.yaml. One invocation = one new instance of the upstream until it is in the caller's CDS.
/// </summary>
[Config(typeof(PercentilesConfig))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 5, iterationCount: 100, invocationCount: 1)]
public class RegistrationToEnvoyLatencyBenchmarks
{
    private string _root = "";
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private ConsulClient _consul = null!;
    private string _callerCds = "";
    private int _instance;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _http.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Description = "Consul registration -> caller's cds.yaml renamed")]
    public async Task RegistrationToDisk()
    {
        var n = Interlocked.Increment(ref _instance);
        var address = $"10.77.{n / 250 % 250}.{n % 250 + 1}";
        using var renamed = new FileSystemWatcher(Path.GetDirectoryName(_callerCds)!, "cds.yaml") { NotifyFilter = NotifyFilters.FileName };
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        renamed.Renamed += (_, _) =>
        {
            if (File.ReadAllText(_callerCds).Contains(address, StringComparison.Ordinal))
            {
                arrived.TrySetResult();
            }
        };
        renamed.EnableRaisingEvents = true;
        await _consul.RegisterAsync(new AgentServiceRegistration { Id = $"api-{n}", Name = "api", Address = address, Port = 8085 }, default);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task SetupAsync()
    {
        _root = Directory.CreateTempSubdirectory("mesh-e2e-").FullName;
        var config = Path.Combine(_root, "config");
        Directory.CreateDirectory(config);
        await File.WriteAllTextAsync(Path.Combine(config, "services.yaml"), """
            services:
              - name: web
                port: 8080
                mesh:
                  public_port: 21000
                  upstreams:
                    - { name: api, local_bind_port: 22001 }
              - name: api
                port: 8085
                mesh:
                  public_port: 21001
            """);
        var consulPort = LoopbackPort.Free();
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["SERVICE_MESH_HOST"] = "127.0.0.1",
            ["HTTP_PORT"] = LoopbackPort.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["EMBEDDED_CONSUL_HTTP_PORT"] = consulPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["EMBEDDED_CONSUL_HTTPS_PORT"] = LoopbackPort.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["EMBEDDED_DNS_PORT"] = LoopbackPort.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CONFIG_PATH"] = config,
            ["CERTIFICATES_PATH"] = Path.Combine(_root, "certificates"),
            ["ENVOY_CONFIG_PATH"] = Path.Combine(_root, "envoy"),
            ["DATA_PATH"] = Path.Combine(_root, "data"),
            ["LOGS_PATH"] = Path.Combine(_root, "logs"),
            ["LOG_LEVEL"] = "ERROR",
        };
        foreach (var folder in new[] { "certificates", "envoy", "data", "logs" })
        {
            Directory.CreateDirectory(Path.Combine(_root, folder));
        }

        var options = MeshConfiguration.Load(environment).Options ?? throw new InvalidOperationException("benchmark settings are invalid");
        _app = MeshApplication.Build(options);
        await _app.StartAsync();
        var endpoint = new ConsulEndpoint(new Uri($"http://127.0.0.1:{consulPort}/"));
        _http = ConsulClient.CreateHttpClient(endpoint);
        _consul = new ConsulClient(_http, endpoint);
        _callerCds = Path.Combine(options.EnvoyConfigPath, "web", "cds.yaml");
        for (var i = 0; i < 200 && !File.Exists(_callerCds); i++)
        {
            await Task.Delay(50);
        }

        if (!File.Exists(_callerCds))
        {
            throw new InvalidOperationException($"{_callerCds} was not generated within 10 s");
        }
    }
}
