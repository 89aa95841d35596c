namespace ServiceMesh.Tests.Support;

/// <summary>A fresh folder per test, removed afterwards, so tests never share files.</summary>
internal sealed class TempFolder : IDisposable
{
    /// <param name="root">Where to create it (default: the temporary folder).</param>
    public TempFolder(string? root = null)
    {
        Path = System.IO.Path.Combine(root ?? System.IO.Path.GetTempPath(), "sm-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>
    /// A RAM-backed root (/dev/shm) where fsync costs nothing, for tests that write thousands of files and are about
    /// what readers see, not durability; the temporary folder where there is none.
    /// </summary>
    public static string? InMemoryRoot => Directory.Exists("/dev/shm") ? "/dev/shm" : null;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public string WriteFile(string relative, string content)
    {
        var file = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
