using ServiceMesh.Build.Compose;
using ServiceMesh.Build.Docker;
using ServiceMesh.Build.Engine;
using ServiceMesh.Build.Image;
using ServiceMesh.Build.Publishing;
using Spectre.Console;

namespace ServiceMesh.Build;

internal sealed partial class Build
{
    DockerEndpoint DockerEndpoint => DockerEndpoint.FromEnvironment(Environment);

    string DockerWorkDirectory => Path.Combine(ArtifactsDirectory, "docker");

    Target EnsureDocker => _ => _
        .Description("Uses the Docker engine that answers; else (root on Debian) installs one and starts it isolated: no bridge, no iptables, pulls fail fast")
        .Executes(async ct =>
        {
            var platform = ImagePlatform.Parse(Platform);
            // Publish installs its own toolchain; here only the engine and what the emulation probe is compiled with.
            var packages = EngineRequirements.EnginePackages
                .Concat(EmulationProbe.IsNeeded(platform.Architecture) ? NativeToolchain.Arm64CrossPackages : [])
                .Distinct(StringComparer.Ordinal)
                .ToList();
            var answered = await DockerClients.AnswersAsync(DockerEndpoint, ct);
            var setup = new IsolatedEngineSetup(Tools, DockerEndpoint, line => Console.MarkupLine($"[grey]{Spectre.Console.Markup.Escape(line)}[/]"));
            if (!IsolatedEngineSetup.CanRunHere)
            {
                if (!answered)
                {
                    throw new BuildFailureException(
                        $"No Docker engine answers at {DockerEndpoint}, and this build can only set one up as root on Debian/Ubuntu. As root, run:{System.Environment.NewLine}{EngineRequirements.ManualSteps(packages)}");
                }

                Note($"engine at {DockerEndpoint} (not root: nothing installed)");
            }
            else if (answered)
            {
                var hasDockerCli = await Tools.TryRunAsync("docker", ["--version"], ct) is not null;
                var hasCompose = await ComposeCli.TryFindAsync(Tools, ct) is not null;
                await setup.EnsureToolsAsync(EngineRequirements.BesideAnsweringEngine(packages, hasDockerCli, hasCompose), platform.DebianArchitecture, ct);
                Note($"engine already answering at {DockerEndpoint}");
            }
            else
            {
                await setup.InstallAndStartAsync(packages, platform.DebianArchitecture, ct);
                Note("installed and started an isolated engine");
            }

            var store = new ImageStore(DockerEndpoint);
            Note(await store.ServerVersionAsync(ct));
            if (EmulationProbe.IsNeeded(platform.Architecture))
            {
                var machine = await new EmulationProbe(Tools, DockerWorkDirectory).RunAsync(ct);
                Note($"arm64 probe ran: {machine}");
            }
        });
}
