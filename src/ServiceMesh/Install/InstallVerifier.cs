using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Envoy.Policies;

namespace ServiceMesh.Install;

/// <summary>
/// Checks that an installation is complete and untampered: the executable, the default config, and every marker
/// (non-empty, valid, its files present, its digest matching): a missing entry module or a silently empty COPY fails here.
/// </summary>
internal static class InstallVerifier
{
    public static async Task<IReadOnlyList<InstallCheck>> VerifyAsync(InstallLayout layout, CancellationToken cancellationToken)
    {
        var checks = new List<InstallCheck> { NonEmptyFile(layout.AppDirectory, InstallLayout.ExecutableName, "executable") };
        checks.AddRange(InstallLayout.DefaultConfigFiles.Select(f => ConfigFile(layout.AppDirectory, f)));
        checks.AddRange(await MarkersAsync(layout, cancellationToken).ConfigureAwait(false));
        return checks;
    }

    private static InstallCheck NonEmptyFile(string directory, string relative, string what)
    {
        var path = Path.Combine(directory, relative);
        var info = new FileInfo(path);
        return !info.Exists ? new(false, path, $"{what} is missing")
            : info.Length == 0 ? new(false, path, $"{what} is empty")
            : new(true, path, $"{what}, {info.Length} bytes");
    }

    private static InstallCheck ConfigFile(string appDirectory, string relative)
    {
        var check = NonEmptyFile(appDirectory, relative, "default config");
        if (!check.Passed)
        {
            return check;
        }
        // The runtime's own readers: a file passes here exactly when the runtime would start with it.
        var text = File.ReadAllText(check.Subject);
        var (problems, kind) = Path.GetFileName(relative) switch
        {
            // Earlier-format files pass as they start the runtime; their placeholders take their defaults here.
            MeshSettings.YamlFileName => (YamlSettingsFile.Read(check.Subject, MeshSettings.YamlKeys, new Dictionary<string, string?>()).Problems, "valid settings"),
            ServiceDefinitionsFile.FileName => (ServiceDefinitionsFile.Parse(check.Subject, text).Problems, "valid service definitions"),
            PolicyFile.FileName => (PolicyFile.Parse(check.Subject, text).Problems, "valid policies"),
            _ => (YamlProblems.TryLoad(check.Subject, text, out _) is { } problem ? [problem] : (IReadOnlyList<string>)[], "valid YAML"),
        };
        return problems.Count == 0 ? check with { Detail = $"{check.Detail}, {kind}" } : new(false, check.Subject, problems[0]);
    }

    private static async Task<IEnumerable<InstallCheck>> MarkersAsync(InstallLayout layout, CancellationToken cancellationToken)
    {
        var folder = layout.MarkersDirectory;
        if (!Directory.Exists(folder))
        {
            return [new(false, folder, "markers folder is missing")];
        }

        var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            return [new(false, folder, "markers folder has no <name>.json marker")];
        }

        var checks = new List<InstallCheck> { new(true, folder, $"{files.Count} marker(s)") };
        foreach (var file in files)
        {
            checks.Add(await MarkerAsync(file, layout.RootPrefix, cancellationToken).ConfigureAwait(false));
        }

        return checks;
    }

    private static async Task<InstallCheck> MarkerAsync(string file, string? rootPrefix, CancellationToken cancellationToken)
    {
        try
        {
            return await CheckMarkerAsync(file, rootPrefix, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(false, file, $"cannot read the marker or its files: {e.Message}");
        }
    }

    private static async Task<InstallCheck> CheckMarkerAsync(string file, string? rootPrefix, CancellationToken cancellationToken)
    {
        InstallMarker marker;
        try
        {
            marker = MarkerDigest.Parse(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false));
        }
        catch (InstallMarkerFormatException e)
        {
            return new(false, file, $"invalid marker: {e.Message}");
        }
        var expectedName = Path.GetFileNameWithoutExtension(file);
        if (marker.Name != expectedName)
        {
            return new(false, file, $"invalid marker: field 'name' is '{marker.Name}' but the file is {expectedName}.json");
        }

        var root = MarkerDigest.ResolveRoot(marker.Root, rootPrefix);
        var missing = marker.Files.Where(f => !File.Exists(Path.Combine(root, f))).ToList();
        if (missing.Count > 0)
        {
            return new(false, file, $"marker '{marker.Name}' vouches for missing file(s) under {root}: {string.Join(", ", missing)}");
        }

        var actual = await MarkerDigest.ComputeAsync(root, marker.Files, cancellationToken).ConfigureAwait(false);
        if (actual != marker.Sha256)
        {
            return new(false, file, $"marker '{marker.Name}' digest mismatch: one of its {marker.Files.Count} file(s) under {root} changed since the build (recorded {marker.Sha256}, now {actual})");
        }

        return new(true, file, $"marker '{marker.Name}' {marker.Version} ({marker.Revision}, built {marker.BuildDate:yyyy-MM-ddTHH:mm:ssZ}): {marker.Files.Count} file(s) match");
    }
}
