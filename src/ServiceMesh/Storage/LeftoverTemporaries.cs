namespace ServiceMesh.Storage;

/// <summary>
/// Removes temporaries <see cref="AtomicFile"/> leaves when killed between write and rename; run at start, before
/// anything writes, so none belongs to a write in progress. Only exact <see cref="AtomicFile.IsTemporaryName"/> matches
/// go (other files may be someone's); symbolic links are neither followed nor removed.
/// </summary>
internal static class LeftoverTemporaries
{
    /// <summary>What one folder held: how many leftovers were removed, and those that could not be (path and reason).</summary>
    internal sealed record Outcome(int Removed, IReadOnlyList<string> Failures);

    public static Outcome Remove(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return new(0, []);
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            // The defaults skip Hidden, which on Linux means every dot-name: exactly the files looked for here.
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
            MatchType = MatchType.Simple,
        };
        var removed = 0;
        var failures = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.tmp", options))
        {
            if (!AtomicFile.IsTemporaryName(Path.GetFileName(file)))
            {
                continue;
            }

            try
            {
                File.Delete(file);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{file}: {e.Message}");
            }
        }
        return new(removed, failures);
    }
}
