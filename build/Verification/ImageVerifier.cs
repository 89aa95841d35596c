using ServiceMesh.Build.Docker;

namespace ServiceMesh.Build.Verification;

/// <summary>
/// A container-structure-test-like suite through the Engine API: metadata, labels, files and markers of a created
/// (never started) container, size, then real runs. Returns every result; the caller decides what a failure does.
/// </summary>
internal sealed class ImageVerifier
{
    private readonly IContainerEngine _engine;
    private readonly IHttpProbe _http;
    private readonly TimeSpan _pollInterval;

    public ImageVerifier(IContainerEngine engine, IHttpProbe http, TimeSpan pollInterval)
    {
        _engine = engine;
        _http = http;
        _pollInterval = pollInterval;
    }

    public async Task<IReadOnlyList<CheckResult>> VerifyAsync(ImageExpectations expected, MeshPorts ports, CancellationToken cancellationToken)
    {
        var image = await _engine.InspectImageAsync(expected.Image, cancellationToken);
        if (image is null)
        {
            return [CheckResult.Fail("image: present", $"{expected.Image} is not in the engine's image store: run BuildImage")];
        }

        var results = new List<CheckResult> { CheckResult.Pass("image: present", $"{expected.Image} {image.Id}") };
        results.AddRange(MetadataRules.Check(image, expected));
        results.AddRange(LabelRules.Check(image));

        // Files are read from a container that is created and never started: nothing in the image runs.
        var id = await _engine.CreateContainerAsync(new ContainerSpec(expected.Image, "none", new Dictionary<string, string>(), []), cancellationToken);
        try
        {
            var files = new ImageFileReader(_engine, id);
            results.AddRange(await FileRules.CheckAsync(files, cancellationToken));
            results.AddRange(await MarkerRules.CheckAsync(files, image, expected, cancellationToken));
        }
        finally
        {
            await _engine.RemoveContainerAsync(id, CancellationToken.None);
        }

        // Running an image of another architecture than the platform asked for would only test qemu's guesswork.
        if (results.Any(r => !r.Passed && r.Check is "metadata: platform" or "file: " + ImageExpectations.Executable))
        {
            results.Add(CheckResult.Fail("run: skipped", "the image's platform or binary is wrong; not started"));
            return results;
        }

        results.AddRange(await new RunRules(_engine, _http, _pollInterval).CheckAsync(expected, ports, cancellationToken));
        return results;
    }
}
