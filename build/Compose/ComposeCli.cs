using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Compose;

/// <summary>The compose front end: <c>docker compose</c> (v2) when present, else <c>docker-compose</c> (v1, what Debian ships).</summary>
internal sealed record ComposeCli(string Executable, IReadOnlyList<string> Prefix)
{
    public static async Task<ComposeCli> FindAsync(ToolRunner tools, CancellationToken cancellationToken)
    {
        try
        {
            var exitCode = await tools.RunAsync("docker", ["compose", "version"], cancellationToken, quiet: true, acceptedExitCodes: Enumerable.Range(0, 256).ToArray());
            if (exitCode == 0)
            {
                return new ComposeCli("docker", ["compose"]);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no docker CLI at all: docker-compose below fails with a clear message
        }

        return new ComposeCli("docker-compose", []);
    }

    public IReadOnlyList<string> Arguments(ComposeProject project, params string[] command) => [.. Prefix, .. project.GlobalArguments, .. command];
}
