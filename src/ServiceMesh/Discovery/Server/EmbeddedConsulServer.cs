using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceMesh.Certificates;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>Consul API on 8500 (and TLS 8501, <see cref="ServerCertificateSource"/> per handshake) as a separate app:
/// only Consul routes and <see cref="ConsulPortAdditions"/> reach 8500, no /v1 route 8088; errors are Consul's plain
/// text.</summary>
internal sealed class EmbeddedConsulServer(
    RegistryStore store, IPAddress address, int port, ConsulTlsListener? tls, string? token, ILoggerFactory loggerFactory, ConsulPortAdditions? additions = null)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        tls?.Certificates.Start(address); // before listening: a CA that cannot sign fails the start, not every handshake
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        additions?.Services(builder.Services);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = ConsulHttpApi.MaxRequestBodyBytes; // Consul's KV value limit
            kestrel.Listen(address, port);
            if (tls is not null)
            {
                kestrel.Listen(address, tls.Port, listen => listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = tls.Certificates.Current(),
                        ApplicationProtocols = [SslApplicationProtocol.Http11],
                    }),
                }));
            }
        });
        var app = builder.Build();
        app.Use(ConsulHttpApi.RejectBadBodies);
        app.Use(ConsulQueryOptions.RejectBadQueries);
        app.Use(ConsulRequestFilters.Middleware(store));
        app.MapConsulApi(store, token);
        additions?.Routes(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>The HTTPS listener of the embedded registry: its port and where its certificate comes from.</summary>
internal sealed record ConsulTlsListener(int Port, ServerCertificateSource Certificates);
