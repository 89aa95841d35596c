using System.Security.Cryptography;
using ServiceMesh.Build.Engine;
using ServiceMesh.Install;

namespace ServiceMesh.Build.Image;

/// <summary>One pinned Debian package of the base image; <c>ArchitectureIndependent</c> for "Architecture: all" packages (<c>name:all=version</c>).</summary>
internal sealed record BasePackage(string Name, string Version, bool ArchitectureIndependent = false)
{
    public string AptSpec(string architecture) => $"{Name}:{(ArchitectureIndependent ? "all" : architecture)}={Version}";
}

/// <summary>
/// The distroless base recipe in images/base for one platform: pinned packages plus passwd, group, os-release.
/// Its hash (over those files and <see cref="AssemblyVersion"/>) names the base tag, so a change to any of them builds a new base.
/// </summary>
internal sealed record BaseImageRecipe(string Directory, ImagePlatform Platform, IReadOnlyList<BasePackage> Packages, string Hash)
{
    /// <summary>Bump when <see cref="BaseRootfsBuilder"/> lays out the rootfs differently.</summary>
    public const string AssemblyVersion = "2";

    public const string Repository = "lucid/distroless-base";

    public static readonly string[] AccountFiles = ["passwd", "group", "os-release"];

    public string Tag => $"{Repository}:{Hash[..16]}-{Platform.Architecture}";

    public static BaseImageRecipe Load(string directory, ImagePlatform platform)
    {
        var listFile = Path.Combine(directory, $"packages-{platform.DebianArchitecture}.txt");
        var inputs = AccountFiles.Select(f => Path.Combine(directory, f)).Prepend(listFile).ToList();
        var missing = inputs.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            throw new BuildFailureException($"The base recipe is incomplete: missing {string.Join(", ", missing)}.");
        }

        var packages = ParsePackageList(listFile, File.ReadAllLines(listFile));
        var hashed = inputs.Select(f => (Path.GetFileName(f), SHA256.HashData(File.ReadAllBytes(f))))
            .Append(("assembly-version", SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(AssemblyVersion))));
        return new BaseImageRecipe(directory, platform, packages, MarkerDigest.Compute(hashed));
    }

    /// <summary>Lines of <c>name=version</c> (<c>name:all=version</c> for architecture-independent packages); blank lines and <c>#</c> comments are ignored.</summary>
    public static IReadOnlyList<BasePackage> ParsePackageList(string file, IEnumerable<string> lines)
    {
        var packages = new List<BasePackage>();
        foreach (var (line, number) in lines.Select((l, i) => (l.Trim(), i + 1)))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            var name = parts[0];
            var independent = name.EndsWith(":all", StringComparison.Ordinal);
            name = independent ? name[..^4] : name;
            if (parts.Length != 2 || name.Length == 0 || parts[1].Length == 0 || name.Contains(':', StringComparison.Ordinal))
            {
                throw new BuildFailureException($"{file}:{number}: '{line}' is not 'package=version' or 'package:all=version' (versions are pinned; the architecture comes from the file name).");
            }

            packages.Add(new BasePackage(name, parts[1], independent));
        }

        return packages.Count > 0 ? packages : throw new BuildFailureException($"{file} lists no package.");
    }
}
