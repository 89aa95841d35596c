using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Certificates;
using ServiceMesh.Storage;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Certificates;

/// <summary>
/// Certificate writes on a full CERTIFICATES_PATH (issue 13). The full disk is injected through the file layer
/// (<see cref="FaultyFileSystem"/>: half a file, then ENOSPC): tests run as root, whom a read-only mode does not stop.
/// </summary>
public sealed class CertificateFullDiskTests : IDisposable
{
    private readonly CertificateFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Renewal_DiskFull_DegradedFaultKeepsCertificateRetriesAndClearsOnceSpaceIsBack()
    {
        var disk = new FaultyFileSystem(path => path.StartsWith(_fixture.Folder, StringComparison.Ordinal)) { Enabled = false };
        var faults = new StorageFaults(_fixture.Time);
        var manager = _fixture.Start(new ReportingCertificateFileSystem(disk, faults, _fixture.Folder));
        var issued = await manager.IssueAsync("data-chain", CancellationToken.None);
        disk.Enabled = true;

        _fixture.Time.SetUtcNow(issued.RenewAt);
        await manager.RenewDueAsync(CancellationToken.None);

        var fault = faults.Of(ReportingCertificateFileSystem.Writer).ShouldNotBeNull();
        (fault.Folder, fault.RefusesWrites).ShouldBe((_fixture.Folder, false), "a renewal ahead of expiry only delays output");
        fault.Error.ShouldContain("No space left on device");
        var failed = manager.Find("data-chain")!;
        (failed.Certificate.Serial, failed.FailedRenewals).ShouldBe((issued.Certificate.Serial, 1));
        _fixture.Leaf("data-chain").SerialNumber.ShouldBe(issued.Certificate.Serial, "the previous pair is still the one on disk");

        disk.Enabled = false;
        _fixture.Time.SetUtcNow(failed.RenewAt);
        await manager.RenewDueAsync(CancellationToken.None);

        faults.Of(ReportingCertificateFileSystem.Writer).ShouldBeNull();
        manager.Find("data-chain")!.Certificate.Serial.ShouldNotBe(issued.Certificate.Serial);
    }

    [Fact]
    public void ProbeIfFailing_RefusedRequestThenSpaceBack_FaultClearsWithoutAnotherRequest()
    {
        var disk = new FaultyFileSystem(path => path.StartsWith(_fixture.Folder, StringComparison.Ordinal));
        var faults = new StorageFaults(_fixture.Time);
        var storage = new ReportingCertificateFileSystem(disk, faults, _fixture.Folder);
        storage.RefusedRequest(new IOException("No space left on device"));

        storage.ProbeIfFailing();
        faults.Of(ReportingCertificateFileSystem.Writer).ShouldNotBeNull().RefusesWrites.ShouldBeTrue("still full");
        disk.Enabled = false;
        storage.ProbeIfFailing();

        faults.Of(ReportingCertificateFileSystem.Writer).ShouldBeNull();
        Directory.EnumerateFileSystemEntries(_fixture.Folder).ShouldBeEmpty("the probe leaves nothing behind");
    }

    [Fact]
    public async Task Post_DiskFull_503WithReasonNothingHalfWrittenHostKeepsRunningThenRecovers()
    {
        FaultyFileSystem? disk = null;
        await using var host = await MeshTestHost.StartAsync(services: builder =>
            builder.Services.AddSingleton<ICertificateFileSystem>(provider =>
                disk = new FaultyFileSystem(path => path.StartsWith(provider.GetRequiredService<CertificateSettings>().Folder, StringComparison.Ordinal)) { Enabled = false }));
        (await host.Client.PostAsync("/certificates/reports", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var folder = host.Options.CertificatesPath;
        var before = Snapshot(folder);
        disk!.Enabled = true;

        using var refused = await host.Client.PostAsync("/certificates/reports", null);

        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var detail = (await refused.JsonAsync()).GetProperty("detail").GetString()!;
        detail.ShouldContain("No space left on device");
        detail.ShouldContain("unchanged");
        Snapshot(folder).ShouldBe(before, "nothing half-written stays behind and the previous pair is untouched");
        var health = await (await host.Client.GetAsync("/health")).JsonAsync();
        var storage = health.GetProperty("components").GetProperty("storage");
        storage.GetProperty("status").GetString().ShouldBe("unhealthy");
        storage.GetProperty("detail").GetString()!.ShouldContain($"certificates: writing to {folder} fails");
        health.GetProperty("components").GetProperty("host").GetProperty("status").GetString().ShouldBe("healthy", "the host keeps running");

        disk.Enabled = false;
        using var accepted = await host.Client.PostAsync("/certificates/reports", null);

        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
        var recovered = (await (await host.Client.GetAsync("/health")).JsonAsync()).GetProperty("components").GetProperty("storage");
        recovered.GetProperty("status").GetString().ShouldBe("healthy");
    }

    // Every file below the folder (links as their target text) with its content: what a reader could find.
    private static Dictionary<string, string> Snapshot(string folder) =>
        new DirectoryInfo(folder).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Concat(new DirectoryInfo(folder).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Where(i => i.LinkTarget is not null))
            .DistinctBy(i => i.FullName)
            .ToDictionary(i => Path.GetRelativePath(folder, i.FullName),
                i => i.LinkTarget is { } target ? "-> " + target : i is FileInfo file ? Convert.ToHexString(File.ReadAllBytes(file.FullName)) : "<dir>");
}
