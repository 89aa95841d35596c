using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Compose;

/// <summary>
/// The host folders compose mounts into the container, under the platform's root:
/// <c>data/service-mesh/{certificates,envoy-configs,data,config}</c> and <c>logs/service-mesh</c>. The writable ones are
/// owned by 65532 (the container's user): a root-owned bind mount would make the runtime's preflight stop it.
/// </summary>
internal sealed record HostFolders(string LucidRoot)
{
    public string DataDirectory => Path.Combine(LucidRoot, "data", "service-mesh");

    public string ConfigDirectory => Path.Combine(DataDirectory, "config");

    public IReadOnlyList<string> Writable =>
    [
        Path.Combine(DataDirectory, "certificates"),
        Path.Combine(DataDirectory, "envoy-configs"),
        Path.Combine(DataDirectory, "data"),
        Path.Combine(LucidRoot, "logs", "service-mesh"),
    ];

    public async Task EnsureAsync(ToolRunner tools, CancellationToken cancellationToken)
    {
        foreach (var folder in Writable.Append(ConfigDirectory))
        {
            Directory.CreateDirectory(folder);
        }

        if (System.Environment.UserName != "root")
        {
            throw new BuildFailureException($"The compose volumes must be owned by 65532:65532; as root run: chown 65532:65532 {string.Join(' ', Writable)}");
        }

        await tools.RunAsync("chown", ["65532:65532", .. Writable], cancellationToken, quiet: true);
    }
}
