using System.Net;
using System.Xml.Linq;
using Docker.DotNet.Models;
using ServiceMesh.Build.Docker;
using ServiceMesh.Build.Verification;
using Xunit.Abstractions;

namespace ServiceMesh.Image.Tests;

/// <summary>
/// The platform owners' path end to end against a real engine: BuildBaseImage, BuildImage, VerifyImage, ComposeUp,
/// GET /health through the host port, ComposeDown. Runs under its own image name, compose project, container name,
/// free ports and data folder, and removes all of them afterwards.
/// </summary>
public sealed class ImagePipelineTests : IDisposable
{
    private static readonly TimeSpan PipelineTimeout = TimeSpan.FromMinutes(15);

    private readonly InProcessBuild _build;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("image-tests-data-");
    private readonly MeshPorts _ports = MeshPorts.Allocate();
    private readonly IReadOnlyDictionary<string, string> _environment;
    private bool _composeStarted;

    public ImagePipelineTests(ITestOutputHelper output)
    {
        _build = new InProcessBuild(output);
        var environment = DockerAvailability.CurrentEnvironment();
        foreach (var (name, value) in _ports.Environment)
        {
            environment[name] = value; // compose substitutes the ports from the environment
        }

        _environment = environment;
    }

    private string ImageRepository => $"lucid-image-tests/service-mesh-{_id}";

    private string ContainerName => $"service-mesh-image-tests-{_id}";

    private string[] Parameters =>
    [
        "--platform", "linux/arm64",
        "--image", ImageRepository,
        "--version", "0.0.1-test",
        "--compose-project-name", $"lucid-image-tests-{_id}",
        "--service-mesh-container-name", ContainerName,
        "--lucid-root", _dataDirectory.FullName,
    ];

    [SkippableFact]
    public async Task BuildVerifyComposeUp_Arm64Image_ServesHealthOnTheHostPortAndComposeDownRemovesIt()
    {
        await DockerAvailability.SkipOrFailWhenUnavailableAsync();
        using var timeout = new CancellationTokenSource(PipelineTimeout);

        var build = _build.Run(["BuildImage", "VerifyImage", .. Parameters], _environment, timeout.Token);
        build.ExitCode.ShouldBe(0, Tail(build.Output));
        build.Output.ShouldContain("passed, 0 failed");
        var junit = XDocument.Load(Path.Combine(InProcessBuild.RepositoryRoot, "artifacts", "verification", "verify-image-arm64.xml"));
        junit.Root!.Element("testsuite")!.Attribute("failures")!.Value.ShouldBe("0");

        _composeStarted = true;
        var up = _build.Run(["ComposeUp", .. Parameters], _environment, timeout.Token);
        up.ExitCode.ShouldBe(0, Tail(up.Output));
        up.Output.ShouldContain($"http://127.0.0.1:{_ports.Http}/");
        (await ContainerHealthAsync()).ShouldBe("healthy");

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{_ports.Http}/health"), timeout.Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(timeout.Token)).ShouldContain("\"status\":\"healthy\"");

        var down = _build.Run(["ComposeDown", .. Parameters], _environment, timeout.Token);
        down.ExitCode.ShouldBe(0, Tail(down.Output));
        _composeStarted = false;
        (await ContainerHealthAsync()).ShouldBe("removed");
    }

    private async Task<string> ContainerHealthAsync()
    {
        using var client = DockerClients.Create(DockerEndpoint.FromEnvironment(_environment));
        var containers = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [$"^/{ContainerName}$"] = true } },
        });
        if (containers.Count == 0)
        {
            return "removed";
        }

        var inspected = await client.Containers.InspectContainerAsync(containers[0].ID);
        return inspected.State?.Health?.Status ?? inspected.State?.Status ?? "unknown";
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(40));

    public void Dispose()
    {
        if (_composeStarted)
        {
            _build.Run(["ComposeDown", .. Parameters], _environment);
        }

        RemoveTestImagesAsync().GetAwaiter().GetResult();
        _dataDirectory.Delete(recursive: true);
    }

    /// <summary>The base image stays (it is content-addressed and shared); the per-test service-mesh tags go.</summary>
    private async Task RemoveTestImagesAsync()
    {
        var endpoint = DockerEndpoint.FromEnvironment(_environment);
        if (!await DockerClients.AnswersAsync(endpoint, CancellationToken.None))
        {
            return;
        }

        using var client = DockerClients.Create(endpoint);
        foreach (var tag in new[] { "0.0.1-test-arm64", "latest-arm64" })
        {
            try
            {
                await client.Images.DeleteImageAsync($"{ImageRepository}:{tag}", new ImageDeleteParameters { Force = true });
            }
            catch (Docker.DotNet.DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // never built
            }
        }
    }
}
