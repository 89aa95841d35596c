using System.Diagnostics;
using ServiceMesh.Build.Docker;
using ServiceMesh.Build.Engine;
using ServiceMesh.Build.Verification;
using Spectre.Console;

namespace ServiceMesh.Build;

internal sealed partial class Build
{
    [Parameter("Largest image VerifyImage accepts, in MB (10^6 bytes)")]
    readonly double ImageSizeBudget = 40;

    [Parameter("Seconds VerifyImage and ComposeUp wait for Docker to report the container healthy")]
    readonly int HealthTimeout = 120;

    string VerificationDirectory => Path.Combine(ArtifactsDirectory, "verification");

    Target VerifyImage => _ => _
        .Description("Verifies <image>:<version>-<arch> through the Engine API: metadata, labels, files, markers, size, a hardened run and a preflight run; table + JUnit in artifacts/verification")
        .DependsOn(EnsureDocker)
        .After(BuildImage)
        .Executes(async ct =>
        {
            var expected = new ImageExpectations(VersionTag, TargetPlatform, (long)(ImageSizeBudget * 1e6), TimeSpan.FromSeconds(HealthTimeout), Version);
            var clock = Stopwatch.StartNew();
            var started = DateTimeOffset.UtcNow;
            using var engine = new DockerContainerEngine(DockerEndpoint);
            var results = await new ImageVerifier(engine, new HttpProbe(), TimeSpan.FromMilliseconds(250)).VerifyAsync(expected, MeshPorts.Allocate(), ct);

            Console.Write(VerificationReport.Table(expected.Image, results));
            Directory.CreateDirectory(VerificationDirectory);
            var junit = Path.Combine(VerificationDirectory, $"verify-image-{TargetPlatform.Architecture}.xml");
            VerificationReport.JUnit(expected.Image, results, clock.Elapsed, started).Save(junit);
            await File.WriteAllLinesAsync(Path.Combine(VerificationDirectory, $"verify-image-{TargetPlatform.Architecture}.txt"),
                results.Select(r => $"{(r.Passed ? "pass" : "FAIL")}\t{r.Check}\t{r.Detail}"), ct);

            var failed = results.Where(r => !r.Passed).ToList();
            Note($"{results.Count - failed.Count} passed, {failed.Count} failed; {Path.GetRelativePath(RootDirectory, junit)}");
            if (failed.Count > 0)
            {
                throw new BuildFailureException($"{failed.Count} image check(s) failed: {string.Join("; ", failed.Select(f => $"{f.Check} ({f.Detail})"))}");
            }
        });
}
