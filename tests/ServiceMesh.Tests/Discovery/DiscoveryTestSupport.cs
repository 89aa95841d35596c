using System.Diagnostics;
using System.Net;
using DnsClient;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Watch;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery;

/// <summary>A Consul client for the embedded registry of a test host (real HTTP on its EMBEDDED_CONSUL_HTTP_PORT).</summary>
internal static class DiscoveryTestSupport
{
    public static ConsulClient ConsulClientFor(MeshTestHost host, string? token = null)
    {
        var endpoint = new ConsulEndpoint(new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}/"), token ?? host.Options.ApiToken);
        return new ConsulClient(ConsulClient.CreateHttpClient(endpoint), endpoint);
    }

    /// <summary>A real resolver for the host's embedded DNS (DnsClient; it sends EDNS).</summary>
    public static LookupClient Resolver(MeshTestHost host, bool tcp = false) =>
        new(new LookupClientOptions(new NameServer(IPAddress.Loopback, host.Options.EmbeddedDnsPort))
        {
            UseCache = false, UseTcpOnly = tcp, Retries = 2, Timeout = TimeSpan.FromSeconds(10), ThrowDnsErrors = false,
        });

    /// <summary>
    /// dig, the tool operators use, against the host's embedded DNS. Installs dnsutils when missing (CI runs as root on a
    /// fresh Debian machine) and fails, rather than skips, when it cannot.
    /// </summary>
    public static async Task<string> DigAsync(MeshTestHost host, string arguments)
    {
        if (!File.Exists("/usr/bin/dig"))
        {
            await RunAsync("apt-get", "install -y -q dnsutils");
            File.Exists("/usr/bin/dig").ShouldBeTrue("dig is needed (apt-get install dnsutils) and could not be installed");
        }

        return await RunAsync("dig", $"@127.0.0.1 -p {host.Options.EmbeddedDnsPort} +tries=3 +time=10 {arguments}");
    }

    private static async Task<string> RunAsync(string command, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return output;
    }

    public static CatalogWatcher Watcher(MeshTestHost host) => host.App.Services.GetRequiredService<CatalogWatcher>();

    public static AgentServiceRegistration Service(string name, int port, string? id = null, AgentServiceCheck? check = null, params string[] tags) =>
        new() { Id = id, Name = name, Address = "127.0.0.1", Port = port, Tags = tags, Check = check };

    /// <summary>Polls until the condition holds (checks run on their own schedule); fails with the description after the timeout.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }
        throw new TimeoutException($"not within {timeoutSeconds} s: {what}");
    }
}

/// <summary>A real loopback HTTP server whose /health answers with the status code the test sets.</summary>
internal sealed class HealthEndpointServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HealthEndpointServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public int StatusCode { get; set; } = 200;
    public string Url => $"http://127.0.0.1:{Port}/health";

    public static async Task<HealthEndpointServer> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        HealthEndpointServer? server = null;
        app.MapGet("/health", (HttpContext context) =>
        {
            context.Response.StatusCode = server!.StatusCode;
            return context.Response.WriteAsync($"status {server.StatusCode}");
        });
        server = new HealthEndpointServer(app, port);
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
