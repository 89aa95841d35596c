using System.Diagnostics;
using ServiceMesh.Build.Compose;
using ServiceMesh.Build.Docker;
using ServiceMesh.Build.Engine;
using Spectre.Console;

namespace ServiceMesh.Build;

internal sealed partial class Build
{
    [Parameter("Compose project name (the platform's: lucid-foundation)")]
    readonly string ComposeProjectName = "lucid-foundation";

    [Parameter("The platform's root on the host: volumes under data/service-mesh/, logs under logs/service-mesh/ (default: LUCID_REPO_ROOT in configs/environment/.env.service-mesh)")]
    readonly string LucidRoot = "";

    [Parameter("Name of the service-mesh container compose creates")]
    readonly string ServiceMeshContainerName = "service-mesh";

    Target ComposeUp => _ => _
        .Description("Starts service-mesh with configs/docker compose files (project lucid-foundation), building the image if missing; waits until Docker reports it healthy")
        .DependsOn(EnsureDocker)
        .After(BuildImage, VerifyImage)
        .Executes(async ct =>
        {
            if (!await new ImageStore(DockerEndpoint).ExistsAsync(LatestTag, ct))
            {
                Console.MarkupLineInterpolated($"[yellow]{LatestTag} is missing: building it (never pulled).[/]");
                await RunThisBuildAsync(["BuildImage"], ct);
            }

            var (cli, project) = await ComposeAsync(ct);
            var folders = new HostFolders(EffectiveLucidRoot);
            await folders.EnsureAsync(Tools, ct);
            using var engine = new DockerContainerEngine(DockerEndpoint);
            var seeded = await ConfigSeeder.SeedAsync(engine, LatestTag, folders.ConfigDirectory, ct);
            if (seeded > 0)
            {
                Note($"seeded {seeded} default config file(s) into {folders.ConfigDirectory}");
            }

            var clock = Stopwatch.StartNew();
            await Tools.RunAsync(cli.Executable, cli.Arguments(project, "up", "-d", ComposeProject.Service), ct, environment: ComposeEnvironment);
            var status = await engine.WaitForAsync(ServiceMeshContainerName, TimeSpan.FromSeconds(HealthTimeout), TimeSpan.FromMilliseconds(500), s => s.IsSettled, ct);
            if (status.Health != "healthy")
            {
                var logs = await engine.ReadLogsAsync(ServiceMeshContainerName, ct);
                throw new BuildFailureException($"{ServiceMeshContainerName} is not healthy after {HealthTimeout} s ({status.State}, health '{status.Health}'). Last log lines:{System.Environment.NewLine}{string.Join(System.Environment.NewLine, logs.Split('\n').TakeLast(15))}");
            }

            var ports = EffectivePorts(project);
            Console.MarkupLine($"[green]{ServiceMeshContainerName} is healthy[/] after {clock.Elapsed.TotalSeconds:0.0} s. Endpoints{(project.HostNetwork ? " (host network)" : "")}:");
            foreach (var (what, endpoint) in new[]
                     {
                         ("HTTP API", $"http://127.0.0.1:{ports["HTTP_PORT"]}/  (/health, /ready, /metrics)"),
                         ("Consul HTTP API", $"http://127.0.0.1:{ports["EMBEDDED_CONSUL_HTTP_PORT"]}/v1/"),
                         ("Consul HTTPS API", $"https://127.0.0.1:{ports["EMBEDDED_CONSUL_HTTPS_PORT"]}/v1/"),
                         ("DNS", $"127.0.0.1:{ports["EMBEDDED_DNS_PORT"]} (udp, tcp)"),
                     })
            {
                Console.MarkupLineInterpolated($"  {what,-17} {endpoint}");
            }

            Note($"healthy after {clock.Elapsed.TotalSeconds:0.0} s; http://127.0.0.1:{ports["HTTP_PORT"]}/health");
        });

    Target ComposeDown => _ => _
        .Description("Stops and removes the compose project's containers (the host folders with certificates and data stay)")
        .DependsOn(EnsureDocker)
        .After(ComposeUp)
        .Executes(async ct =>
        {
            var (cli, project) = await ComposeAsync(ct);
            await Tools.RunAsync(cli.Executable, cli.Arguments(project, "down", "--remove-orphans"), ct, environment: ComposeEnvironment);
            Note($"project {project.Name} down");
        });

    /// <summary>What the compose files substitute: image, container name and the platform's root (ports come from the shell or .env.service-mesh).</summary>
    Dictionary<string, string?> ComposeEnvironment => new()
    {
        ["SERVICE_MESH_IMAGE"] = LatestTag,
        ["SERVICE_MESH_CONTAINER_NAME"] = ServiceMeshContainerName,
        ["LUCID_REPO_ROOT"] = EffectiveLucidRoot,
    };

    /// <summary>--lucid-root when given, else what .env.service-mesh says, else the platform's default.</summary>
    string EffectiveLucidRoot => Path.GetFullPath(LucidRoot.Length > 0 ? LucidRoot
        : ComposeProject.ReadEnvironmentFile(Path.Combine(RootDirectory, "configs", "environment", ".env.service-mesh")).GetValueOrDefault("LUCID_REPO_ROOT", DefaultLucidRoot),
        RootDirectory);

    const string DefaultLucidRoot = "/mnt/myssd/Lucid/Lucid";

    string RenderedComposeFile => Path.Combine(ArtifactsDirectory, "compose", "docker-compose.rendered.yml");

    async Task<(ComposeCli Cli, ComposeProject Project)> ComposeAsync(CancellationToken cancellationToken)
    {
        var hostNetwork = !await new ImageStore(DockerEndpoint).HasBridgeNetworkAsync(cancellationToken);
        var project = new ComposeProject(ComposeProjectName, Path.Combine(RootDirectory, "configs"), hostNetwork, RenderedComposeFile);
        if (!File.Exists(project.SecretsFile))
        {
            // compose refuses a missing env_file; secrets stay untracked, so an empty one is created (see .env.secrets.example).
            await File.WriteAllTextAsync(project.SecretsFile, "# Secrets for the Lucid services (untracked). See .env.secrets.example.\n", cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(project.SecretsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            Note("created an empty configs/environment/.env.secrets");
        }

        var cli = await ComposeCli.FindAsync(Tools, cancellationToken);
        if (hostNetwork)
        {
            await RenderForHostNetworkAsync(cli, project, cancellationToken);
        }

        return (cli, project);
    }

    /// <summary>The platform files as compose renders them, without what the host network cannot have (see <see cref="HostNetworkRendering"/>).</summary>
    async Task RenderForHostNetworkAsync(ComposeCli cli, ComposeProject project, CancellationToken cancellationToken)
    {
        var rendered = await Tools.ReadOutputAsync(cli.Executable, cli.Arguments(project.Platform, "config"), cancellationToken, environment: ComposeEnvironment);
        Directory.CreateDirectory(Path.GetDirectoryName(project.RenderedFile)!);
        // The rendering holds the env files' values, .env.secrets included: readable by its owner alone, from creation on.
        File.Delete(project.RenderedFile);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var file = new StreamWriter(project.RenderedFile, System.Text.Encoding.UTF8, options);
        await file.WriteAsync(HostNetworkRendering.WithoutNetworks(rendered).AsMemory(), cancellationToken);
    }

    static readonly string[] AnnouncedPorts = ["HTTP_PORT", "EMBEDDED_CONSUL_HTTP_PORT", "EMBEDDED_CONSUL_HTTPS_PORT", "EMBEDDED_DNS_PORT"];

    /// <summary>The ports the container got: the shell's environment wins over .env.service-mesh, as in compose's substitution.</summary>
    IReadOnlyDictionary<string, string> EffectivePorts(ComposeProject project)
    {
        var file = ComposeProject.ReadEnvironmentFile(project.ServiceEnvironmentFile);
        return AnnouncedPorts.ToDictionary(k => k, k => Environment.GetValueOrDefault(k) is { Length: > 0 } fromShell ? fromShell : file.GetValueOrDefault(k, "?"));
    }

    /// <summary>
    /// Runs this same build (its own assembly) with other targets and every parameter this run's command line gave
    /// (the environment and .nuke/parameters.json reach it anyway), skipping EnsureDocker, which this run already did.
    /// </summary>
    async Task RunThisBuildAsync(IReadOnlyList<string> targets, CancellationToken cancellationToken)
    {
        var assembly = typeof(Build).Assembly.Location;
        await Tools.RunAsync("dotnet", [assembly, .. ChildBuildArguments(targets)], cancellationToken);
    }

    internal IReadOnlyList<string> ChildBuildArguments(IReadOnlyList<string> targets) =>
    [
        .. targets,
        "--root", RootDirectory,
        .. CommandLineParameters.SelectMany(p => (IEnumerable<string>)["--" + p.Key, .. p.Value]),
        "--skip", nameof(EnsureDocker),
    ];
}
