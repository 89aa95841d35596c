using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Image;

/// <summary>The files of the base the <c>base</c> marker vouches for (root "/"), in the image's labels so later builds need not unpack the base.</summary>
internal sealed record BaseContent(IReadOnlyList<string> MarkerFiles, string MarkerSha256)
{
    public const string FilesLabel = "io.lucid.base.marker-files";
    public const string Sha256Label = "io.lucid.base.marker-sha256";
}

/// <summary>
/// Lays out the distroless rootfs from pinned Debian packages without running any maintainer script:
/// <c>apt-get download</c>, <c>dpkg-deb -x</c>, a concatenated CA bundle, distroless accounts, /tmp 1777,
/// and <c>/var/lib/dpkg/status.d/&lt;package&gt;</c> so that image scanners see the packages.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class BaseRootfsBuilder
{
    private const string CaBundle = "etc/ssl/certs/ca-certificates.crt";
    private const string StatusDirectory = "var/lib/dpkg/status.d";

    /// <summary>Documentation and package-manager helpers that only add size (copyright files stay: they are the licences).</summary>
    private static readonly string[] Removed = ["usr/share/man", "usr/share/info", "usr/share/lintian", "usr/sbin/update-ca-certificates", "etc/ca-certificates", "usr/share/ca-certificates"];

    private readonly ToolRunner _tools;

    public BaseRootfsBuilder(ToolRunner tools) => _tools = tools;

    /// <summary>Builds the rootfs under <paramref name="workDirectory"/>/rootfs and returns what the base marker will vouch for.</summary>
    public async Task<BaseContent> BuildAsync(BaseImageRecipe recipe, string workDirectory, CancellationToken cancellationToken)
    {
        var downloads = Path.Combine(workDirectory, "debs");
        var rootfs = Path.Combine(workDirectory, "rootfs");
        foreach (var folder in new[] { downloads, rootfs })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
        }

        var architecture = recipe.Platform.DebianArchitecture;
        await _tools.RunAsync("apt-get", ["download", "-q", .. recipe.Packages.Select(p => p.AptSpec(architecture))], cancellationToken,
            workingDirectory: downloads, quiet: true);
        var statusFolder = Path.Combine(rootfs, StatusDirectory);
        Directory.CreateDirectory(statusFolder);
        foreach (var package in recipe.Packages)
        {
            var deb = Directory.EnumerateFiles(downloads, $"{package.Name}_*.deb").SingleOrDefault()
                      ?? throw new BuildFailureException($"apt-get download gave no .deb for {package.AptSpec(architecture)}; is the version still on the mirror? (apt-cache policy {package.Name}:{architecture})");
            await _tools.RunAsync("dpkg-deb", ["-x", deb, rootfs], cancellationToken, quiet: true);
            var control = new List<string>();
            await _tools.RunAsync("dpkg-deb", ["-f", deb], cancellationToken, onOutputLine: control.Add, quiet: true);
            await File.WriteAllTextAsync(Path.Combine(statusFolder, package.Name), string.Join('\n', control).TrimEnd() + "\nStatus: install ok installed\n", cancellationToken);
        }

        await WriteCaBundleAsync(rootfs, cancellationToken);
        RemoveExtras(rootfs);
        AddAccountsAndFolders(recipe, rootfs);
        var markerFiles = new[] { "etc/group", "etc/os-release", "etc/passwd", CaBundle }
            .Concat(Directory.EnumerateFiles(statusFolder).Select(f => $"{StatusDirectory}/{Path.GetFileName(f)}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var sha256 = await ServiceMesh.Install.MarkerDigest.ComputeAsync(rootfs, markerFiles, cancellationToken);
        return new BaseContent(markerFiles, sha256);
    }

    /// <summary>ca-certificates' postinst would build the bundle; no script runs here, so concatenate the Mozilla set in a fixed order.</summary>
    private static async Task WriteCaBundleAsync(string rootfs, CancellationToken cancellationToken)
    {
        var certificates = Path.Combine(rootfs, "usr/share/ca-certificates/mozilla");
        var files = Directory.Exists(certificates) ? Directory.GetFiles(certificates, "*.crt").Order(StringComparer.Ordinal).ToList() : [];
        if (files.Count == 0)
        {
            throw new BuildFailureException("ca-certificates brought no usr/share/ca-certificates/mozilla/*.crt; the base would have no CA bundle.");
        }

        var bundle = Path.Combine(rootfs, CaBundle);
        Directory.CreateDirectory(Path.GetDirectoryName(bundle)!);
        await using var output = File.Create(bundle);
        foreach (var file in files)
        {
            var text = (await File.ReadAllTextAsync(file, cancellationToken)).TrimEnd('\n') + "\n";
            await output.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text), cancellationToken);
        }
    }

    private static void RemoveExtras(string rootfs)
    {
        foreach (var path in Removed.Select(r => Path.Combine(rootfs, r)))
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }

        // glibc's iconv modules (20 MB): the runtime uses invariant globalisation and never converts charsets.
        foreach (var gconv in Directory.EnumerateDirectories(Path.Combine(rootfs, "usr/lib"), "gconv", SearchOption.AllDirectories).ToList())
        {
            Directory.Delete(gconv, recursive: true);
        }

        var docs = Path.Combine(rootfs, "usr/share/doc");
        if (Directory.Exists(docs))
        {
            foreach (var file in Directory.EnumerateFiles(docs, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "copyright").ToList())
            {
                File.Delete(file);
            }
        }
    }

    private static void AddAccountsAndFolders(BaseImageRecipe recipe, string rootfs)
    {
        var etc = Path.Combine(rootfs, "etc");
        Directory.CreateDirectory(etc);
        foreach (var file in BaseImageRecipe.AccountFiles)
        {
            var target = Path.Combine(etc, file);
            File.Copy(Path.Combine(recipe.Directory, file), target, overwrite: true);
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        var all = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
                  | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        foreach (var (folder, mode) in new[] { ("tmp", all | UnixFileMode.StickyBit), ("root", ownerOnly), ("home/nonroot", ownerOnly) })
        {
            var path = Path.Combine(rootfs, folder);
            Directory.CreateDirectory(path);
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>Entries not owned by root: the nonroot user's home.</summary>
    public static IReadOnlyDictionary<string, TarOwner> Owners { get; } = new Dictionary<string, TarOwner>
    {
        ["home/nonroot"] = new(65532, 65532),
    };
}
