using ServiceMesh.Build.Engine;
using ServiceMesh.Build.Publishing;

namespace ServiceMesh.Build;

internal sealed partial class Build
{
    [Parameter("Runtime identifiers to publish (default: linux-x64 and linux-arm64; when BuildImage runs, its platform's only)")]
    readonly string[] Runtimes = [];

    static readonly string[] AllRuntimes = ["linux-x64", "linux-arm64"];

    /// <summary>An image needs one architecture: publishing the other would cost minutes of AOT for nothing.</summary>
    IReadOnlyList<string> RuntimesToPublish => Runtimes.Length > 0 ? Runtimes
        : ScheduledTargets.Contains(nameof(BuildImage)) ? [TargetPlatform.RuntimeIdentifier]
        : AllRuntimes;

    [Parameter("Version stamped into the runtime and image (SemVer)")]
    readonly string Version = "0.1.0";

    string RuntimeProject => Path.Combine(RootDirectory, "src", "ServiceMesh", "ServiceMesh.csproj");

    string PublishDirectory(string runtime) => Path.Combine(ArtifactsDirectory, "publish", runtime);

    Target Publish => _ => _
        .Description("Publishes the service-mesh runtime as Native AOT into artifacts/publish/<rid> (see --runtimes)")
        .After(Compile, Test)
        .Executes(async ct =>
        {
            var toolchain = new NativeToolchain(Tools, Environment);
            foreach (var runtime in RuntimesToPublish)
            {
                await toolchain.EnsureAsync(runtime, ct);
                var output = PublishDirectory(runtime);
                DeleteDirectory(output);
                await Tools.RunAsync(
                    "dotnet",
                    ["publish", RuntimeProject, "-c", "Release", "-r", runtime, "-o", output, "-nologo",
                        "-p:PublishAot=true", $"-p:Version={Version}", .. NoServers],
                    ct);
                var binary = new FileInfo(Path.Combine(output, "service-mesh"));
                if (!binary.Exists)
                {
                    throw new BuildFailureException($"Publish for {runtime} produced no {binary.FullName}.");
                }

                Note($"{runtime}: {binary.Length / 1024.0 / 1024.0:0.0} MB, sha256:{(await FileDigest.Sha256Async(binary.FullName, ct))[..12]}");
            }
        });
}
