using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Compose;

/// <summary>
/// The host folders compose mounts as the container's writable folders, created and owned by 65532 (the container's
/// user): a root-owned bind mount would make the runtime's preflight stop it.
/// </summary>
internal static class HostFolders
{
    public static readonly string[] Writable = ["certificates", "envoy-configs", "data", "logs"];

    public static async Task EnsureAsync(ToolRunner tools, string dataDirectory, CancellationToken cancellationToken)
    {
        var folders = Writable.Select(f => Path.Combine(dataDirectory, f)).ToList();
        foreach (var folder in folders)
        {
            Directory.CreateDirectory(folder);
        }

        if (System.Environment.UserName != "root")
        {
            throw new BuildFailureException($"The compose volumes must be owned by 65532:65532; as root run: chown 65532:65532 {string.Join(' ', folders)}");
        }

        await tools.RunAsync("chown", ["65532:65532", .. folders], cancellationToken, quiet: true);
    }
}
