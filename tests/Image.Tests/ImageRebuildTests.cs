using System.Net;
using Docker.DotNet.Models;
using ServiceMesh.Build.Docker;
using Xunit.Abstractions;

namespace ServiceMesh.Image.Tests;

/// <summary>
/// Issue 11: two image builds from the same checkout, one after the other, with other versions and the same build date.
/// The second image must hold the second binary and markers (the first build's context used to be kept by BuildKit,
/// which judged the files unchanged by their size and time).
/// </summary>
public sealed class ImageRebuildTests : IDisposable
{
    private const string FirstVersion = "0.0.1-first";
    private const string SecondVersion = "0.0.2-second"; // other length too: no help from the binary's size
    private const string BuildDate = "2026-11-28T10:00:00Z";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);

    private readonly InProcessBuild _build;
    private readonly string _repository = $"lucid-image-tests/rebuild-{Guid.NewGuid().ToString("N")[..8]}";
    private readonly IReadOnlyDictionary<string, string> _environment = DockerAvailability.CurrentEnvironment();

    public ImageRebuildTests(ITestOutputHelper output) => _build = new InProcessBuild(output);

    [SkippableFact]
    public async Task BuildImage_TwiceWithOtherVersionsAndTheSameDate_SecondImageHoldsTheSecondBinary()
    {
        await DockerAvailability.SkipOrFailWhenUnavailableAsync();
        using var timeout = new CancellationTokenSource(Timeout);

        var first = _build.Run(["BuildImage", .. Parameters(FirstVersion)], _environment, timeout.Token);
        first.ExitCode.ShouldBe(0, Tail(first.Output));
        var second = _build.Run(["BuildImage", "VerifyImage", .. Parameters(SecondVersion)], _environment, timeout.Token);
        second.ExitCode.ShouldBe(0, Tail(second.Output));

        second.Output.ShouldContain("(= Publish)");
        second.Output.ShouldContain("run: version");
        var (versionExit, version) = await RunAsync($"{_repository}:{SecondVersion}-arm64", ["--version"], timeout.Token);
        versionExit.ShouldBe(0, version);
        version.ShouldStartWith($"service-mesh {SecondVersion}+");
        var (installExit, install) = await RunAsync($"{_repository}:{SecondVersion}-arm64", ["verify-install"], timeout.Token);
        installExit.ShouldBe(0, install);
        install.ShouldContain($"marker 'application' {SecondVersion}");
    }

    private string[] Parameters(string version) =>
        ["--platform", "linux/arm64", "--image", _repository, "--version", version, "--build-date", BuildDate];

    /// <summary>Runs the image's entrypoint with <paramref name="args"/> (arm64 under emulation, no network); exit code and output.</summary>
    private async Task<(long ExitCode, string Output)> RunAsync(string image, IList<string> args, CancellationToken cancellationToken)
    {
        using var client = DockerClients.Create(DockerEndpoint.FromEnvironment(_environment));
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = args,
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, cancellationToken);
        try
        {
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
            var exit = await client.Containers.WaitContainerAsync(created.ID, cancellationToken);
            using var logs = await client.Containers.GetContainerLogsAsync(created.ID, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, cancellationToken);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(cancellationToken);
            return (exit.StatusCode, stdout + stderr);
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(40));

    public void Dispose() => RemoveImagesAsync().GetAwaiter().GetResult();

    private async Task RemoveImagesAsync()
    {
        var endpoint = DockerEndpoint.FromEnvironment(_environment);
        if (!await DockerClients.AnswersAsync(endpoint, CancellationToken.None))
        {
            return;
        }

        using var client = DockerClients.Create(endpoint);
        foreach (var tag in new[] { $"{FirstVersion}-arm64", $"{SecondVersion}-arm64", "latest-arm64" })
        {
            try
            {
                await client.Images.DeleteImageAsync($"{_repository}:{tag}", new ImageDeleteParameters { Force = true });
            }
            catch (Docker.DotNet.DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // never built
            }
        }
    }
}
