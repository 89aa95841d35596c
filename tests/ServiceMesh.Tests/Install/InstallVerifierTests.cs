using ServiceMesh.Install;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Install;

/// <summary>verify-install judges the default config with the runtime's own readers.</summary>
public sealed class InstallVerifierTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task VerifyAsync_ShippedConfig_EachFileValidByItsOwnReader()
    {
        CopyShippedConfig();

        var checks = await VerifyAsync();

        checks.Single(c => c.Subject.EndsWith("service-mesh.yaml", StringComparison.Ordinal)).Detail.ShouldEndWith("valid settings");
        checks.Single(c => c.Subject.EndsWith("services.yaml", StringComparison.Ordinal)).Detail.ShouldEndWith("valid service definitions");
        checks.Single(c => c.Subject.EndsWith("policies.yaml", StringComparison.Ordinal)).Detail.ShouldEndWith("valid policies");
    }

    [Theory]
    [InlineData("services.yaml", "services:\n  - name: a\n    tags: [x, y\n    port: 80\n", "malformed YAML")] // YamlDotNet's scanner throws without a position here
    [InlineData("services.yaml", "services:\n  - name: a\n    port: 99999\n", "services[0].port")]
    [InlineData("policies.yaml", "default: maybe\n", "default")]
    public async Task VerifyAsync_ConfigTheRuntimeWouldRefuse_FailsNamingTheProblem(string file, string content, string expected)
    {
        CopyShippedConfig();
        await File.WriteAllTextAsync(_folder.Combine("app", "config", file), content);

        var checks = await VerifyAsync();

        var check = checks.Single(c => c.Subject.EndsWith(file, StringComparison.Ordinal));
        check.Passed.ShouldBeFalse();
        check.Detail.ShouldContain(expected);
    }

    private void CopyShippedConfig()
    {
        Directory.CreateDirectory(_folder.Combine("app", "config"));
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "config")))
        {
            File.Copy(file, _folder.Combine("app", "config", Path.GetFileName(file)));
        }
    }

    private Task<IReadOnlyList<InstallCheck>> VerifyAsync() =>
        InstallVerifier.VerifyAsync(new InstallLayout(_folder.Combine("app"), _folder.Combine("markers"), null), CancellationToken.None);
}
