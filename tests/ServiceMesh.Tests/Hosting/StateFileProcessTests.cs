using ServiceMesh.Discovery.Registry;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Hosting;

/// <summary>The real executable with state under DATA_PATH it cannot use: it stops (exit 74) rather than start without that state.</summary>
public sealed class StateFileProcessTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_EnvoyRegistrationsPathUnreadable_Exits74NamingTheFileAndTheFix()
    {
        var environment = MeshEnvironment.For(_folder);
        var unreadable = Path.Combine(environment["DATA_PATH"]!, "envoy", "registrations.json");
        Directory.CreateDirectory(unreadable); // a folder where the file belongs: a read error, not bad content

        var result = await MeshProcess.RunAsync(environment);

        result.ExitCode.ShouldBe(74, result.Error);
        result.ErrorLines.ShouldContain(line => line.StartsWith("state error: ", StringComparison.Ordinal) && line.Contains(unreadable, StringComparison.Ordinal)
            && line.Contains("it is a folder, not a file", StringComparison.Ordinal));
        Directory.Exists(unreadable).ShouldBeTrue("left as it is");
    }

    [Fact]
    public async Task Run_RegistrySnapshotDamaged_Exits74NamingItAndLeavesItAlone()
    {
        var environment = MeshEnvironment.For(_folder);
        var snapshot = Path.Combine(environment["DATA_PATH"]!, "registry", RegistryLog.SnapshotFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(snapshot)!);
        await File.WriteAllTextAsync(snapshot, "not a snapshot");

        var result = await MeshProcess.RunAsync(environment);

        result.ExitCode.ShouldBe(74, result.Error);
        result.ErrorLines.ShouldContain(line => line.StartsWith("state error: ", StringComparison.Ordinal) && line.Contains(snapshot, StringComparison.Ordinal)
            && line.Contains("damaged", StringComparison.Ordinal));
        (await File.ReadAllTextAsync(snapshot)).ShouldBe("not a snapshot");
    }
}
