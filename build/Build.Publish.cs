using ServiceMesh.Build.Engine;
using ServiceMesh.Build.Publishing;

namespace ServiceMesh.Build;

internal sealed partial class Build
{
    [Parameter("Runtime identifiers to publish the runtime for (Native AOT)")]
    readonly string[] Runtimes = ["linux-x64", "linux-arm64"];

    [Parameter("Version stamped into the runtime and image (SemVer)")]
    readonly string Version = "0.1.0";

    string RuntimeProject => Path.Combine(RootDirectory, "src", "ServiceMesh", "ServiceMesh.csproj");

    string PublishDirectory(string runtime) => Path.Combine(ArtifactsDirectory, "publish", runtime);

    Target Publish => _ => _
        .Description("Publishes the service-mesh runtime as Native AOT for each of --runtimes into artifacts/publish/<rid>")
        .After(Compile, Test)
        .Executes(async ct =>
        {
            var toolchain = new NativeToolchain(Tools, Environment);
            foreach (var runtime in Runtimes)
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

                Note($"{runtime}: {binary.Length / 1024.0 / 1024.0:0.0} MB");
            }
        });
}
