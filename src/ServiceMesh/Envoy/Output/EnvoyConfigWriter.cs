using System.Collections.Concurrent;
using ServiceMesh.Configuration;
using ServiceMesh.Storage;

namespace ServiceMesh.Envoy.Output;

/// <summary>What one write pass did, for metrics, logs and the health component.</summary>
internal sealed record EnvoyWriteResult(int FilesWritten, int FilesUnchanged, int FilesDeleted, IReadOnlyList<string> Failures)
{
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>
/// Writes only changed files, in each service's order (a failure stops that service, so LDS never precedes its CDS),
/// and removes departed services' files; an unchanged file set is skipped without disk access unless verifying.
/// </summary>
internal sealed class EnvoyConfigWriter(EnvoyFileLayout layout)
{
    // Services are written concurrently: most of a write is waiting for fsync, and the filesystem journal commits
    // concurrent fsyncs together, so 1,000 changed files take a fraction of 1,000 sequential fsyncs.
    private const int ConcurrentServices = 16;

    // What this writer last put in (or found in) each file: an unchanged file is then known without reading it.
    private readonly ConcurrentDictionary<string, string> _onDisk = new(StringComparer.Ordinal);
    // The file sets written in full by the last pass, by service; also the service names the last pass kept.
    private Dictionary<string, EnvoyFileSet> _written = new(StringComparer.Ordinal);
    private bool _removedOthers = true; // false after a pass that left others' files: the next one that may removes them

    /// <param name="removeOthers">
    /// False while some input is not ready: a missing service may only be unknown yet, so its files stay.
    /// </param>
    public EnvoyWriteResult Write(IReadOnlyList<EnvoyFileSet> services, bool verifyDisk, bool removeOthers = true)
    {
        var pending = verifyDisk ? [.. services]
            : services.Where(s => !(_written.TryGetValue(s.Service, out var last) && ReferenceEquals(last, s))).ToList();
        var outcomes = new (int Written, int Unchanged, string? Failure)[pending.Count];
        // Within a service the order stays (SDS, CDS, LDS, bootstrap); services do not depend on each other.
        Parallel.For(0, pending.Count, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentServices },
            i => outcomes[i] = WriteService(pending[i], verifyDisk));

        var failed = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();
        int written = 0, unchanged = services.Sum(s => s.Files.Count) - pending.Sum(s => s.Files.Count);
        for (var i = 0; i < pending.Count; i++)
        {
            written += outcomes[i].Written;
            unchanged += outcomes[i].Unchanged;
            if (outcomes[i].Failure is { } failure)
            {
                failures.Add(failure);
                failed.Add(pending[i].Service);
            }
        }
        var writtenNow = services.Where(s => !failed.Contains(s.Service)).ToDictionary(s => s.Service, StringComparer.Ordinal);
        var membershipChanged = writtenNow.Count != _written.Count || writtenNow.Keys.Any(name => !_written.ContainsKey(name)) || !_removedOthers;
        _written = writtenNow;
        _removedOthers = removeOthers;
        var deleted = removeOthers && (verifyDisk || membershipChanged || failures.Count > 0)
            ? DeleteRemoved(services.Select(s => s.Service).ToHashSet(StringComparer.Ordinal), services, failures) : 0;
        return new EnvoyWriteResult(written, unchanged, deleted, failures);
    }

    private (int Written, int Unchanged, string? Failure) WriteService(EnvoyFileSet service, bool verifyDisk)
    {
        int written = 0, unchanged = 0;
        foreach (var file in service.Files)
        {
            var path = Path.Combine(layout.Root, file.RelativePath);
            try
            {
                // Verifying reads every file: one edited by hand must come back, not only one removed.
                if (!verifyDisk && _onDisk.TryGetValue(path, out var last) && (ReferenceEquals(last, file.Content) || last == file.Content))
                {
                    unchanged++;
                }
                else if (WriteIfChanged(path, file))
                {
                    written++;
                }
                else
                {
                    unchanged++;
                }

                _onDisk[path] = file.Content;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _onDisk.TryRemove(path, out _);
                return (written, unchanged, $"{path}: {e.Message}");
            }
        }
        return (written, unchanged, null);
    }

    // A sidecar's folder stays 0755 even when its first file is the 0600 sds-cert.yaml: cds, lds and sds-ca are read by
    // an Envoy of another user too (the folder mode would otherwise follow the first file's).
    private static bool WriteIfChanged(string path, EnvoyFile file)
    {
        if (file.HoldsPrivateKey)
        {
            FileModes.CreateDirectory(Path.GetDirectoryName(path)!, FileModes.ReadableFolder);
        }

        return AtomicFile.WriteIfChanged(path, file.Content, file.Mode);
    }

    /// <summary>Deletes bootstrap files and folders of services not in <paramref name="current"/>; touches only names and files this writer creates.</summary>
    private int DeleteRemoved(HashSet<string> current, IReadOnlyList<EnvoyFileSet> services, List<string> failures)
    {
        if (!Directory.Exists(layout.Root))
        {
            return 0;
        }

        var deleted = 0;
        // In the static layout a current service has no folder: remove a folder left from the dynamic layout too.
        var withFolder = services.Where(s => s.Files.Any(f => f.RelativePath.Contains('/', StringComparison.Ordinal))).Select(s => s.Service).ToHashSet(StringComparer.Ordinal);
        try
        {
            // A folder holding this writer's files under a name that is not a service name was written by a version
            // without the membership rule (e.g. "ca", whose sds-cert.yaml named the CA's key): it goes with its bootstrap.
            var strays = new HashSet<string>(StringComparer.Ordinal);
            foreach (var folder in Directory.EnumerateDirectories(layout.Root))
            {
                var service = Path.GetFileName(folder);
                var valid = ServiceName.IsValid(service, out _);
                if (withFolder.Contains(service) || (!valid && !EnvoyFileLayout.FolderFiles.Any(name => File.Exists(Path.Combine(folder, name)))))
                {
                    continue;
                }

                if (!valid)
                {
                    strays.Add(service);
                }

                foreach (var name in EnvoyFileLayout.FolderFiles)
                {
                    deleted += Delete(Path.Combine(folder, name), failures);
                }

                if (!Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    Directory.Delete(folder);
                }
            }
            foreach (var file in Directory.EnumerateFiles(layout.Root, "*.yaml"))
            {
                var service = Path.GetFileNameWithoutExtension(file);
                if ((ServiceName.IsValid(service, out _) && !current.Contains(service)) || strays.Contains(service))
                {
                    deleted += Delete(file, failures);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failures.Add($"{layout.Root}: cannot remove files of removed services: {e.Message}");
        }
        return deleted;
    }

    private int Delete(string path, List<string> failures)
    {
        try
        {
            if (!File.Exists(path))
            {
                return 0;
            }

            File.Delete(path);
            _onDisk.TryRemove(path, out _);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failures.Add($"{path}: cannot delete: {e.Message}");
            return 0;
        }
    }
}
