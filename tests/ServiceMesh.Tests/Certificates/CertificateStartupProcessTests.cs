using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Certificates;

/// <summary>The real executable: the CA survives restarts, and unusable CA files or settings stop the start with one line.</summary>
public sealed class CertificateStartupProcessTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_Restarted_KeepsTheCaCreatedOnFirstStart()
    {
        var environment = MeshEnvironment.For(_folder);
        await RunUntilListeningAsync(environment);
        var certificate = await File.ReadAllBytesAsync(_folder.Combine("certificates", "ca.crt"));
        var key = await File.ReadAllBytesAsync(_folder.Combine("certificates", "ca.key"));

        await RunUntilListeningAsync(environment);

        (await File.ReadAllBytesAsync(_folder.Combine("certificates", "ca.crt"))).ShouldBe(certificate);
        (await File.ReadAllBytesAsync(_folder.Combine("certificates", "ca.key"))).ShouldBe(key);
    }

    [Fact]
    public async Task Run_CaKeyCorrupt_Exits78WithOneLineAndLeavesFilesUntouched()
    {
        var environment = MeshEnvironment.For(_folder);
        await RunUntilListeningAsync(environment);
        await File.WriteAllTextAsync(_folder.Combine("certificates", "ca.key"), "damaged");

        var result = await MeshProcess.RunAsync(environment);

        result.ExitCode.ShouldBe(78);
        var line = result.ErrorLines.ShouldHaveSingleItem();
        line.ShouldStartWith("certificate error: CERTIFICATES_PATH=");
        line.ShouldContain("ca.key is not a readable PKCS#8 PEM private key");
        (await File.ReadAllTextAsync(_folder.Combine("certificates", "ca.key"))).ShouldBe("damaged");
    }

    [Fact]
    public async Task Run_CertTtlAndValidityDaysBothSet_Exits78NamingBoth()
    {
        var environment = MeshEnvironment.For(_folder);
        environment["CERT_TTL"] = "12h";
        environment["CERT_VALIDITY_DAYS"] = "3";

        var result = await MeshProcess.RunAsync(environment);

        result.ExitCode.ShouldBe(78);
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("CERT_TTL='12h' and CERT_VALIDITY_DAYS='3': expected only one of them");
    }

    private static async Task RunUntilListeningAsync(Dictionary<string, string?> environment)
    {
        using var process = MeshProcess.Start(environment);
        await HttpWaits.WaitForListeningAsync(int.Parse(environment["HTTP_PORT"]!, System.Globalization.CultureInfo.InvariantCulture), process, TimeSpan.FromSeconds(20));
        process.Terminate();
        (await process.WaitAsync(TimeSpan.FromSeconds(15))).ExitCode.ShouldBe(0);
    }
}
