using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Compose;

/// <summary>The compose front end: <c>docker compose</c> (v2) when present, else <c>docker-compose</c> (v1, what Debian ships).</summary>
internal sealed record ComposeCli(string Executable, IReadOnlyList<string> Prefix)
{
    /// <summary>The front end to use; <c>docker-compose</c> when neither answers, so running it fails with the shell's own message.</summary>
    public static async Task<ComposeCli> FindAsync(ToolRunner tools, CancellationToken cancellationToken) =>
        await TryFindAsync(tools, cancellationToken) ?? new ComposeCli("docker-compose", []);

    /// <summary>The front end that answers <c>version</c>, or null when there is none.</summary>
    public static async Task<ComposeCli?> TryFindAsync(ToolRunner tools, CancellationToken cancellationToken) =>
        await tools.TryRunAsync("docker", ["compose", "version"], cancellationToken) is not null ? new ComposeCli("docker", ["compose"])
        : await tools.TryRunAsync("docker-compose", ["version"], cancellationToken) is not null ? new ComposeCli("docker-compose", [])
        : null;

    public IReadOnlyList<string> Arguments(ComposeProject project, params string[] command) => [.. Prefix, .. project.GlobalArguments, .. command];
}
