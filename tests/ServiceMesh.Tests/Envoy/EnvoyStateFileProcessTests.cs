using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Envoy;

/// <summary>The real executable with an unreadable DATA_PATH/envoy/registrations.json: it stops (exit 74) rather than start without the registrations.</summary>
public sealed class EnvoyStateFileProcessTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_RegistrationsPathUnreadable_Exits74NamingTheFileAndTheFix()
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
}
