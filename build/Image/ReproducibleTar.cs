using System.Formats.Tar;

namespace ServiceMesh.Build.Image;

/// <summary>Who owns an entry in the tar (numeric ids only: the image has no user database to resolve names against).</summary>
internal sealed record TarOwner(int UserId, int GroupId)
{
    public static readonly TarOwner Root = new(0, 0);
}

/// <summary>
/// Packs a folder into a tar that depends only on the folder's content: entries sorted ordinal, one fixed
/// modification time (<see cref="FixedTime"/> unless the caller gives one), numeric owners (root unless <c>owners</c>
/// says otherwise), modes and symlinks as on disk.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class ReproducibleTar
{
    public static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Write(string sourceDirectory, Stream destination, IReadOnlyDictionary<string, TarOwner> owners, DateTimeOffset? modificationTime = null)
    {
        var time = modificationTime ?? FixedTime;
        using var writer = new TarWriter(destination, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (var path in Enumerate(sourceDirectory))
        {
            var relative = Path.GetRelativePath(sourceDirectory, path).Replace('\\', '/');
            var info = new FileInfo(path);
            var isLink = info.LinkTarget is not null;
            var isDirectory = !isLink && Directory.Exists(path);
            var entry = new GnuTarEntry(
                isLink ? TarEntryType.SymbolicLink : isDirectory ? TarEntryType.Directory : TarEntryType.RegularFile,
                isDirectory ? relative + "/" : relative);
            var owner = owners.GetValueOrDefault(relative, TarOwner.Root);
            entry.Uid = owner.UserId;
            entry.Gid = owner.GroupId;
            entry.ModificationTime = time;
            entry.AccessTime = time;
            entry.ChangeTime = time;
            entry.Mode = File.GetUnixFileMode(path);
            if (isLink)
            {
                entry.LinkName = info.LinkTarget!;
                writer.WriteEntry(entry);
            }
            else if (isDirectory)
            {
                writer.WriteEntry(entry);
            }
            else
            {
                using var content = File.OpenRead(path);
                entry.DataStream = content;
                writer.WriteEntry(entry);
            }
        }
    }

    /// <summary>Every path below <paramref name="root"/>, depth-first, children sorted ordinal; symlinked folders are not followed.</summary>
    private static IEnumerable<string> Enumerate(string root)
    {
        foreach (var child in Directory.EnumerateFileSystemEntries(root).Order(StringComparer.Ordinal))
        {
            yield return child;
            if (Directory.Exists(child) && new FileInfo(child).LinkTarget is null)
            {
                foreach (var grandchild in Enumerate(child))
                {
                    yield return grandchild;
                }
            }
        }
    }
}
