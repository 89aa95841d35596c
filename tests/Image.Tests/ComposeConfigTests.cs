using ServiceMesh.Build.Compose;
using ServiceMesh.Build.Engine;
using Spectre.Console;
using Xunit.Abstractions;

namespace ServiceMesh.Image.Tests;

/// <summary>
/// Issue 18: the shipped compose files describe the platform's real deployment, rendered by the real compose front end
/// (<c>config</c> only: nothing is started, no bridge network is created here). The env files are the platform's, so
/// .env.core's <c>SERVICE_MESH_HOST=service-mesh</c> is in the rendering's path and must lose to the compose file.
/// </summary>
public sealed class ComposeConfigTests(ITestOutputHelper output)
{
    private readonly InProcessBuild _build = new(output);

    [SkippableFact]
    public async Task Config_PlatformFiles_NetworkPortsBindAddressEnvOrderVolumesAndHealthcheck()
    {
        await DockerAvailability.SkipOrFailWhenUnavailableAsync();
        var environment = DockerAvailability.CurrentEnvironment();
        _build.Run(["EnsureDocker"], environment).ExitCode.ShouldBe(0, "EnsureDocker installs the compose front end");
        var configs = Path.Combine(InProcessBuild.RepositoryRoot, "configs");
        var secrets = Path.Combine(configs, "environment", ".env.secrets");
        if (!File.Exists(secrets))
        {
            await File.WriteAllTextAsync(secrets, "# created by ComposeConfigTests (untracked)\n");
        }

        var project = new ComposeProject("lucid-foundation", configs, HostNetwork: false);
        using var writer = new StringWriter();
        var tools = new ToolRunner(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) }), environment, InProcessBuild.RepositoryRoot);
        var cli = await ComposeCli.FindAsync(tools, CancellationToken.None);
        // Shell variables of the machine must not change the rendering.
        var clean = new Dictionary<string, string?> { ["LUCID_REPO_ROOT"] = null, ["HTTP_PORT"] = null, ["EMBEDDED_CONSUL_HTTP_PORT"] = null, ["EMBEDDED_DNS_PORT"] = null };

        var rendered = await tools.ReadOutputAsync(cli.Executable, cli.Arguments(project, "config"), CancellationToken.None, clean);

        output.WriteLine(rendered);
        var service = Section(rendered, "  service-mesh:");
        Section(rendered, "networks:").ShouldContain("lucid-pi-network:\n    external: true\n    name: lucid-pi-network");
        service.ShouldContain("    networks:\n      lucid-pi-network: {}");
        foreach (var (port, protocol) in new[] { (8088, ""), (8500, ""), (8501, ""), (8502, ""), (8600, "tcp"), (8600, "udp") })
        {
            service.ShouldContain((protocol.Length > 0 ? $"    - protocol: {protocol}\n      " : "    - ") + $"published: {port}\n      target: {port}");
        }

        service.ShouldContain("      SERVICE_MESH_HOST: 0.0.0.0", Case.Sensitive, "the compose file wins over .env.core's SERVICE_MESH_HOST=service-mesh");
        File.ReadAllText(Path.Combine(configs, "environment", ".env.core")).ShouldContain("SERVICE_MESH_HOST=service-mesh");
        service.ShouldContain("      SERVICE_MESH_HEALTH_URL: http://service-mesh:8500/health"); // from .env.core
        service.ShouldContain("      LUCID_REPO_ROOT: /mnt/myssd/Lucid/Lucid"); // from .env.service-mesh, loaded after .env.core
        foreach (var volume in new[]
                 {
                     "/mnt/myssd/Lucid/Lucid/data/service-mesh/certificates:/app/certificates:rw",
                     "/mnt/myssd/Lucid/Lucid/data/service-mesh/config:/app/config:ro",
                     "/mnt/myssd/Lucid/Lucid/data/service-mesh/data:/app/data:rw",
                     "/mnt/myssd/Lucid/Lucid/data/service-mesh/envoy-configs:/app/envoy-configs:rw",
                     "/mnt/myssd/Lucid/Lucid/logs/service-mesh:/app/logs:rw",
                 })
        {
            service.ShouldContain("    - " + volume);
        }

        service.ShouldContain("      test:\n      - CMD\n      - /app/service-mesh\n      - healthcheck");
        service.ShouldContain("    user: 65532:65532");
        service.ShouldContain("    read_only: true");

        var hostNetwork = HostNetworkRendering.WithoutNetworks(rendered);
        hostNetwork.ShouldNotContain("lucid-pi-network");
        hostNetwork.ShouldNotContain("published:");
        hostNetwork.ShouldContain("SERVICE_MESH_HOST: 0.0.0.0");
    }

    /// <summary>The lines from <paramref name="header"/> up to the next line indented no deeper (a YAML block of the rendering).</summary>
    private static string Section(string yaml, string header)
    {
        var lines = yaml.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var start = Array.FindIndex(lines, l => l == header);
        start.ShouldBeGreaterThanOrEqualTo(0, $"'{header}' in the rendering");
        var indent = header.Length - header.TrimStart().Length;
        var block = lines.Skip(start + 1).TakeWhile(l => l.Length == 0 || l.Length - l.TrimStart().Length > indent);
        return string.Join('\n', block.Prepend(lines[start]));
    }
}
