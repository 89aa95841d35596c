using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Image;

/// <summary>The commit an image is built from: its sha (or "unknown" outside git) and its commit time.</summary>
internal sealed record SourceRevision(string Sha, DateTimeOffset CommitTime)
{
    public const string Unknown = "unknown";

    /// <summary>Reads HEAD; outside a git checkout the revision is "unknown" and the time the Unix epoch.</summary>
    public static async Task<SourceRevision> ReadAsync(ToolRunner tools, string repository, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(repository, ".git")) && !File.Exists(Path.Combine(repository, ".git")))
        {
            return new SourceRevision(Unknown, DateTimeOffset.UnixEpoch);
        }

        var output = new List<string>();
        await tools.RunAsync("git", ["-C", repository, "log", "-1", "--format=%H %ct"], cancellationToken, onOutputLine: output.Add, quiet: true);
        var parts = string.Join(" ", output).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && long.TryParse(parts[1], out var seconds)
            ? new SourceRevision(parts[0], DateTimeOffset.FromUnixTimeSeconds(seconds))
            : new SourceRevision(Unknown, DateTimeOffset.UnixEpoch);
    }
}
