using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery;

/// <summary>Lucid's /services routes on 8088, backed by the embedded registry.</summary>
public sealed class LucidServiceEndpointsTests
{
    [Fact]
    public async Task RegisterThenGet_NewService_ListedAndFoundImmediately()
    {
        await using var host = await MeshTestHost.StartAsync();

        using var created = await host.Client.PostAsync("/services/register", Json("""{"service_name":"wallet","service_address":"127.0.0.1","service_port":9100,"tags":["v1"]}"""));
        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        var registered = await created.JsonAsync();
        (registered.GetProperty("status").GetString(), registered.GetProperty("service_name").GetString()).ShouldBe(("registered", "wallet"));

        var list = await (await host.Client.GetAsync("/services")).JsonAsync();
        list.GetProperty("count").GetInt32().ShouldBe(1);
        var listed = list.GetProperty("services")[0];
        (listed.GetProperty("name").GetString(), listed.GetProperty("port").GetInt32()).ShouldBe(("wallet", 9100));
        var one = await (await host.Client.GetAsync("/services/wallet")).JsonAsync();
        one.GetProperty("address").GetString().ShouldBe("127.0.0.1");
        one.GetProperty("service_id").GetString().ShouldBe("wallet-127.0.0.1-9100");
        one.GetProperty("tags")[0].GetString().ShouldBe("v1");
    }

    [Fact]
    public async Task Delete_RegisteredService_GoneAndThen404()
    {
        await using var host = await MeshTestHost.StartAsync();
        await host.Client.PostAsync("/services/register", Json("""{"service_name":"temp","service_address":"localhost","service_port":9200}"""));

        (await host.Client.DeleteAsync("/services/temp")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await host.Client.GetAsync("/services/temp")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await host.Client.DeleteAsync("/services/temp")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"service_name":"Bad_Name","service_address":"127.0.0.1","service_port":80}""", "DNS label", "service_name")]
    [InlineData("""{"service_name":"Auth-Service","service_address":"127.0.0.1","service_port":80}""", "lowercase letters a-z", "service_name")]
    [InlineData("""{"service_name":"ca","service_address":"127.0.0.1","service_port":80}""", "reserved", "service_name")]
    [InlineData("""{"service_name":"ok","service_address":"127.0.0.1","service_port":70000}""", "1 to 65535", "service_port")]
    [InlineData("""{"service_name":"ok","service_address":"not an address!","service_port":80}""", "IP address or a host name", "service_address")]
    [InlineData("""{"service_name":"ok","service_address":"127.0.0.1","service_port":80,"health_check_url":"ftp://x"}""", "http://", "health_check_url")]
    [InlineData("""{"service_name":"ok","service_address":"127.0.0.1"}""", "(missing)", "service_port")]
    [InlineData("""{"service_name":""", "not valid JSON", null)]
    public async Task Register_InvalidBody_422ListingTheFieldAndRule(string body, string rule, string? field)
    {
        await using var host = await MeshTestHost.StartAsync();

        using var response = await host.Client.PostAsync("/services/register", Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.JsonAsync();
        problem.GetProperty("summary").GetString()!.ShouldContain(rule);
        problem.GetProperty("status").GetInt32().ShouldBe(422);
        var error = problem.GetProperty("detail")[0];
        error.GetProperty("loc")[0].GetString().ShouldBe("body");
        if (field is not null)
        {
            error.GetProperty("loc")[1].GetString().ShouldBe(field);
            error.GetProperty("msg").GetString()!.ShouldContain(rule);
        }
        else
        {
            error.GetProperty("type").GetString().ShouldBe("json_invalid");
        }

        error.GetProperty("type").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Register_TokenSetButNotSent_401()
    {
        await using var host = await MeshTestHost.StartAsync(settings: s => s["SERVICE_MESH_API_TOKEN"] = "lucid-test-token-0123456789");

        using var response = await host.Client.PostAsync("/services/register", Json("""{"service_name":"x","service_address":"127.0.0.1","service_port":80}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task RegisterGetDelete_CatalogWatcherStopped_AnsweredFromTheStoreAtOnce()
    {
        await using var host = await MeshTestHost.StartAsync();
        await DiscoveryTestSupport.Watcher(host).StopAsync(default); // nothing publishes snapshots any more

        (await host.Client.PostAsync("/services/register", Json("""{"service_name":"ledger","service_address":"127.0.0.1","service_port":9300}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var one = await (await host.Client.GetAsync("/services/ledger")).JsonAsync();
        one.GetProperty("service_id").GetString().ShouldBe("ledger-127.0.0.1-9300");
        var list = await (await host.Client.GetAsync("/services")).JsonAsync();
        list.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ShouldContain("ledger");
        (await host.Client.DeleteAsync("/services/ledger")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await host.Client.GetAsync("/services/ledger")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "the deregistration is read back at once too");
    }

    [Fact]
    public async Task RegisterAndDelete_DiskFull_503WithTheStorageReasonAsDetail()
    {
        var disk = new Disk();
        await using var host = await MeshTestHost.StartAsync(services: b => b.Services.AddSingleton(sp => RegistryLog.Open(
            Path.Combine(sp.GetRequiredService<MeshOptions>().DataPath, "registry"), NullLogger.Instance,
            openLog: (path, mode) => new FullDiskLogStream(path, mode, disk))));
        (await host.Client.PostAsync("/services/register", Json("""{"service_name":"keep","service_address":"127.0.0.1","service_port":9400}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        disk.Full = true;

        using var register = await host.Client.PostAsync("/services/register", Json("""{"service_name":"wallet","service_address":"127.0.0.1","service_port":9401}"""));
        using var delete = await host.Client.DeleteAsync("/services/keep");

        foreach (var (response, what) in new[] { (register, "registration of 'wallet'"), (delete, "deregistration of 'keep'") })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var detail = (await response.JsonAsync()).GetProperty("detail").GetString()!;
            detail.ShouldContain(what);
            detail.ShouldContain("No space left on device", customMessage: "the storage's own reason, not a relayed HTTP 500");
            // Not "500" alone: the detail names the registry's temp folder, whose random name may hold those digits.
            detail.ShouldNotContain("Internal Server Error");
            detail.ShouldNotContain("status code");
        }
    }

    private sealed class Disk
    {
        public bool Full { get; set; }
    }

    /// <summary>The real registry log file, except that its writes fail as on a full disk while <see cref="Disk.Full"/> is set.</summary>
    private sealed class FullDiskLogStream(string path, FileMode mode, Disk disk) : FileStream(path, mode, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0)
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (disk.Full)
            {
                throw new IOException("No space left on device");
            }

            base.Write(buffer);
        }
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
