using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Compose;

/// <summary>The compose front end: <c>docker compose</c> (v2) when present, else <c>docker-compose</c> (v1, what Debian ships).</summary>
internal sealed record ComposeCli(string Executable, IReadOnlyList<string> Prefix)
{
    public static async Task<ComposeCli> FindAsync(ToolRunner tools, CancellationToken cancellationToken)
    {
        if (await tools.TryRunAsync("docker", ["compose", "version"], cancellationToken) is not null)
        {
            return new ComposeCli("docker", ["compose"]);
        }

        return new ComposeCli("docker-compose", []);
    }

    public IReadOnlyList<string> Arguments(ComposeProject project, params string[] command) => [.. Prefix, .. project.GlobalArguments, .. command];
}
