using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Configuration;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Storage;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Envoy;

/// <summary>
/// registrations.json on a full disk (issue 13): refused with 503, never visible, storage unhealthy, self-recovering. The
/// fault is injected (<see cref="InjectedDiskFaults"/>): tests run as root, and a tmpfs would need mount privileges.
/// </summary>
public sealed class RegistrationsFullDiskTests : IDisposable
{
    private static readonly MeshMember Reports = new("reports", MeshProtocol.Http, 8080, 21000, [], ["10.0.0.12"]);
    private static readonly object ReportsBody = new { service_address = "10.0.0.12", service_port = 8080 };
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Set_DiskFull_ThrowsStorageUnavailableNothingVisibleFaultReportedThenRetryClearsIt()
    {
        var options = MeshConfiguration.Load(MeshEnvironment.For(_folder)).Options!;
        var time = new FakeTimeProvider();
        var faults = new StorageFaults(time);
        using var registrations = new EnvoyApiRegistrations(EnvoySettings.From(options), NullLogger<EnvoyApiRegistrations>.Instance, faults, time);
        var changes = 0;
        registrations.Changed += _ => changes++;

        using (InjectedDiskFaults.Fill(Path.Combine(options.DataPath, "envoy")))
        {
            var refused = Should.Throw<StorageUnavailableException>(() => registrations.Set(Reports));
            refused.Message.ShouldContain("No space left on device");
            registrations.Current.Members.ShouldBeEmpty("not durable, so not visible");
            changes.ShouldBe(0);
            var fault = faults.Of(EnvoyApiRegistrations.Writer).ShouldNotBeNull();
            (fault.Folder, fault.RefusesWrites).ShouldBe((Path.Combine(options.DataPath, "envoy"), true));

            time.Advance(EnvoyApiRegistrations.RetryEvery);
            faults.Of(EnvoyApiRegistrations.Writer).ShouldNotBeNull("still full: the retry failed too");
        }
        time.Advance(EnvoyApiRegistrations.RetryEvery);

        faults.Of(EnvoyApiRegistrations.Writer).ShouldBeNull("the retry wrote the file once space was back");
        File.Exists(registrations.FilePath).ShouldBeTrue();
        registrations.Set(Reports).ShouldBeTrue();
        new EnvoyApiRegistrations(EnvoySettings.From(options), NullLogger<EnvoyApiRegistrations>.Instance).Current.Members.Select(m => m.Name).ShouldBe(["reports"]);
    }

    [Fact]
    public async Task Post_DiskFull_503WithReasonNotListedStorageUnhealthyThenRecovers()
    {
        var logs = new LogCapture();
        await using var host = await MeshTestHost.StartAsync(settings => settings["LOG_LEVEL"] = "INFO", builder => builder.Logging.AddProvider(logs));
        var folder = Path.Combine(host.Options.DataPath, "envoy");

        using (InjectedDiskFaults.Fill(folder))
        {
            using var refused = await host.Client.PostAsJsonAsync("/envoy/configs/reports", ReportsBody);

            refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var detail = (await refused.JsonAsync()).GetProperty("detail").GetString()!;
            detail.ShouldContain("registrations.json");
            detail.ShouldContain("No space left on device");
            (await host.Client.GetAsync("/envoy/configs/reports")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            var listed = await (await host.Client.GetAsync("/envoy/configs")).JsonAsync();
            listed.GetProperty("configs").EnumerateArray().Select(c => c.GetProperty("service_name").GetString()).ShouldNotContain("reports");
            var storage = await StorageAsync(host);
            storage.Status.ShouldBe("unhealthy");
            storage.Detail.ShouldContain($"registrations: writing to {folder} fails");
            storage.Detail.ShouldContain("No space left on device");
        }

        await Discovery.DiscoveryTestSupport.EventuallyAsync(async () => (await StorageAsync(host)).Status == "healthy",
            "the retry writes registrations.json once space is back and the fault clears");
        using var accepted = await host.Client.PostAsJsonAsync("/envoy/configs/reports", ReportsBody);
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await host.Client.GetAsync("/envoy/configs/reports")).StatusCode.ShouldBe(HttpStatusCode.OK);
        logs.Lines.ShouldContain(l => l.Level == LogLevel.Error && l.Message.StartsWith($"Storage: registrations cannot write to {folder} (No space left on device", StringComparison.Ordinal));
        logs.Lines.ShouldContain(l => l.Level == LogLevel.Information && l.Message.StartsWith($"Storage: registrations writes to {folder} again", StringComparison.Ordinal));
    }

    private static async Task<(string Status, string Detail)> StorageAsync(MeshTestHost host)
    {
        var storage = (await (await host.Client.GetAsync("/health")).JsonAsync()).GetProperty("components").GetProperty("storage");
        return (storage.GetProperty("status").GetString()!, storage.GetProperty("detail").GetString()!);
    }
}
