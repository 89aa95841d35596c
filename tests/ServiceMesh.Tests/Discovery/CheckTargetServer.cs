using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery;

/// <summary>
/// A real loopback HTTP server for check tests: /health answers 200 "ok", /redirect answers 302 to /health,
/// /redirect-to?url= answers 302 to any URL, /big answers 10 000 bytes. It keeps the paths asked and the last Authorization header per path.
/// </summary>
internal sealed class CheckTargetServer : IAsyncDisposable
{
    public const int BigBodyLength = 10_000;

    private readonly WebApplication _app;

    private CheckTargetServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public ConcurrentQueue<string> Paths { get; } = new();
    public ConcurrentDictionary<string, string> Authorization { get; } = new(StringComparer.Ordinal);
    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static async Task<CheckTargetServer> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        CheckTargetServer? server = null;
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            server!.Paths.Enqueue(path);
            server.Authorization[path] = context.Request.Headers.Authorization.ToString();
            await next(context);
        });
        app.MapGet("/health", () => "ok");
        app.MapGet("/redirect", (HttpContext context) => context.Response.Redirect("/health"));
        app.MapGet("/redirect-to", (string url, HttpContext context) => context.Response.Redirect(url));
        app.MapGet("/big", () => new string('x', BigBodyLength));
        server = new CheckTargetServer(app, port);
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
