using System.Security.Cryptography;

namespace ServiceMesh.Build.Engine;

/// <summary>SHA-256 of files, as the build's notes and checks print them (lowercase hex).</summary>
internal static class FileDigest
{
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}
