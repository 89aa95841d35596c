using Microsoft.AspNetCore.Builder;
using ServiceMesh.Configuration;
using ServiceMesh.Hosting;

namespace ServiceMesh.Benchmarks.Http;

/// <summary>The real mesh in this process: Kestrel and the embedded Consul port on loopback, its folders (DATA_PATH too) on disk.</summary>
internal sealed class SelfHostedMesh : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _root;

    private SelfHostedMesh(WebApplication app, string root, MeshOptions options)
    {
        _app = app;
        _root = root;
        Api = new Uri($"http://127.0.0.1:{options.HttpPort}/");
        Consul = new Uri($"http://127.0.0.1:{options.EmbeddedConsulHttpPort}/");
        DataPath = options.DataPath;
    }

    public Uri Api { get; }
    public Uri Consul { get; }
    public string DataPath { get; }

    public static async Task<SelfHostedMesh> StartAsync()
    {
        // In the temp folder: point TMPDIR at a disk-backed folder where /tmp is a tmpfs (fsync costs nothing there, durability is not measured).
        var root = Directory.CreateTempSubdirectory("hot-routes-").FullName;
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["SERVICE_MESH_HOST"] = "127.0.0.1",
            ["HTTP_PORT"] = Port(),
            ["EMBEDDED_CONSUL_HTTP_PORT"] = Port(),
            ["EMBEDDED_CONSUL_HTTPS_PORT"] = Port(),
            ["EMBEDDED_DNS_PORT"] = Port(),
            ["CONFIG_PATH"] = Path.Combine(root, "config"),
            ["CERTIFICATES_PATH"] = Path.Combine(root, "certificates"),
            ["ENVOY_CONFIG_PATH"] = Path.Combine(root, "envoy-configs"),
            ["DATA_PATH"] = Path.Combine(root, "data"),
            ["LOGS_PATH"] = Path.Combine(root, "logs"),
            ["LOG_LEVEL"] = "WARNING",
        };
        foreach (var folder in new[] { "config", "certificates", "envoy-configs", "data", "logs" })
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
        }

        var options = MeshConfiguration.Load(environment).Options ?? throw new InvalidOperationException("the benchmark's settings are invalid");
        var app = MeshApplication.Build(options, configure: null, environment);
        await app.StartAsync();
        return new SelfHostedMesh(app, root, options);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    private static string Port() => LoopbackPort.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
