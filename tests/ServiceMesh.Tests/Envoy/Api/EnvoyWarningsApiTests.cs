using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Envoy.Api;

/// <summary><c>warnings</c> and <c>protocol</c> of /envoy/configs/{svc} on the real host, and the log line when a warning appears.</summary>
public sealed class EnvoyWarningsApiTests
{
    [Fact]
    public async Task Post_ProtocolGrpc_DescribedAsGrpcAndListenerOffersH2()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var posted = await host.Client.PostAsJsonAsync("/envoy/configs/ledger", new { service_address = "10.0.0.40", service_port = 50051, protocol = "grpc" });

        posted.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await posted.JsonAsync()).GetProperty("protocol").GetString().ShouldBe("grpc");
        (await File.ReadAllTextAsync(Path.Combine(host.Options.EnvoyConfigPath, "ledger", "lds.yaml"))).ShouldContain("- h2");
    }

    [Fact]
    public async Task Post_UnknownProtocol_422NamingTheKnownOnes()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var refused = await host.Client.PostAsJsonAsync("/envoy/configs/ledger", new { service_address = "10.0.0.40", service_port = 50051, protocol = "udp" });

        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await refused.JsonAsync()).GetProperty("summary").GetString()!.ShouldContain("expected http, http2, grpc or tcp, got 'udp'");
    }

    [Fact]
    public async Task Get_UpstreamDeniedAndUpstreamUnregistered_WarningsNameEachAndTheLogSaysItOnce()
    {
        var logs = new LogCapture();
        await using var host = await MeshTestHost.StartAsync(
            settings =>
            {
                Directory.CreateDirectory(settings["CONFIG_PATH"]!);
                File.WriteAllText(Path.Combine(settings["CONFIG_PATH"]!, "policies.yaml"), "allow:\n  - from: reports\n    to: [db]\n");
            },
            builder => builder.Logging.AddProvider(logs));
        (await host.Client.PostAsJsonAsync("/envoy/configs/db", new { service_address = "10.0.0.20", service_port = 5432, protocol = "tcp" })).EnsureSuccessStatusCode();

        using var posted = await host.Client.PostAsJsonAsync("/envoy/configs/web", new
        {
            service_address = "10.0.0.10",
            service_port = 8080,
            upstreams = new[] { new { name = "db", local_bind_port = 9001 }, new { name = "billing", local_bind_port = 9002 } },
        });
        posted.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await host.Client.PostAsJsonAsync("/envoy/configs/reports", new { service_address = "10.0.0.30", service_port = 8081 })).EnsureSuccessStatusCode();

        var web = await (await host.Client.GetAsync("/envoy/configs/web")).JsonAsync();
        web.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ShouldBe(
            ["upstream 'db' denies 'web' in policies.yaml", "upstream 'billing' is not registered"]);
        web.GetProperty("upstreams").GetArrayLength().ShouldBe(2, "both are still generated");
        (await (await host.Client.GetAsync("/envoy/configs/db")).JsonAsync()).GetProperty("warnings").GetArrayLength().ShouldBe(0);
        logs.Lines.Count(l => l.Level == LogLevel.Warning && l.Message.Contains("Sidecar web: upstream 'billing' is not registered", StringComparison.Ordinal))
            .ShouldBe(1, "three generations, one line");
    }
}
