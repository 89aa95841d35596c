using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Watch;
using ServiceMesh.Hosting;
using ServiceMesh.Storage;

namespace ServiceMesh.Tests.Support;

/// <summary>The real web host (real Kestrel on a free loopback port, real folders) built in-process from explicit settings.</summary>
internal sealed class MeshTestHost : IAsyncDisposable
{
    private MeshTestHost(WebApplication app, MeshOptions options, TempFolder folder)
    {
        App = app;
        Options = options;
        Folder = folder;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.HttpPort}") };
    }

    public WebApplication App { get; }
    public MeshOptions Options { get; }
    public TempFolder Folder { get; }
    public HttpClient Client { get; }

    public static async Task<MeshTestHost> StartAsync(
        Action<Dictionary<string, string?>>? settings = null,
        Action<WebApplicationBuilder>? services = null,
        Action<WebApplication>? routes = null)
    {
        var folder = new TempFolder();
        var environment = MeshEnvironment.For(folder);
        settings?.Invoke(environment);
        var configuration = MeshConfiguration.Load(environment);
        configuration.Problems.ShouldBeEmpty();
        StorageProbe.ProbeAll(configuration.Options!.WritableFolders).ShouldBeEmpty();
        var app = MeshApplication.Build(configuration.Options!, services, environment);
        routes?.Invoke(app);
        await app.StartAsync();
        if (configuration.Options!.DiscoveryMode == DiscoveryMode.Embedded)
        {
            await WaitForFirstSyncAsync(app.Services.GetRequiredService<CatalogWatcher>());
        }

        return new MeshTestHost(app, configuration.Options!, folder);
    }

    // Start-up waits for discovery's first catalog read only 3 s (an unreachable Consul must not hold it up); a stalled
    // machine can take longer, and until then /health reports discovery degraded. The embedded registry always answers.
    private static async Task WaitForFirstSyncAsync(CatalogWatcher watcher)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!watcher.Status.Synced && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        watcher.Status.Synced.ShouldBeTrue("the embedded registry answers the first catalog read");
    }

    /// <summary>
    /// Serves one /health first: the in-process host runs JIT, and its first request compiles the pipeline, which
    /// on a loaded machine can exceed a 1.5 s client budget (the published binary is AOT and has no such cost).
    /// </summary>
    public async Task WarmUpAsync() => (await Client.GetAsync(new Uri("/health", UriKind.Relative))).Dispose();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Folder.Dispose();
    }
}
