using ServiceMesh.Build.Docker;

namespace ServiceMesh.Build.Compose;

/// <summary>
/// Fills the host's config folder (mounted read-only at /app/config) with the image's own default config when it is
/// empty: the defaults then always match the binary that reads them. An operator's edited config is never overwritten.
/// </summary>
internal static class ConfigSeeder
{
    private const string ImageConfigFolder = "/app/config";

    /// <summary>Returns the number of files copied (0 when the folder already had config).</summary>
    public static async Task<int> SeedAsync(IContainerEngine engine, string image, string configDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(configDirectory);
        if (Directory.EnumerateFiles(configDirectory).Any())
        {
            return 0;
        }

        var id = await engine.CreateContainerAsync(new ContainerSpec(image, "none", new Dictionary<string, string>(), []), cancellationToken);
        try
        {
            var files = await new ImageFileReader(engine, id).ReadTreeAsync(ImageConfigFolder, cancellationToken);
            var copied = 0;
            foreach (var file in files.Values.Where(f => f.IsRegularFile && f.Path.StartsWith(ImageConfigFolder + "/", StringComparison.Ordinal)))
            {
                var target = Path.Combine(configDirectory, file.Path[(ImageConfigFolder.Length + 1)..]);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await File.WriteAllBytesAsync(target, file.Content, cancellationToken);
                copied++;
            }

            return copied;
        }
        finally
        {
            await engine.RemoveContainerAsync(id, CancellationToken.None);
        }
    }
}
