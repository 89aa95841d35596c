using System.Text;
using ServiceMesh.Build.Docker;

namespace ServiceMesh.Build.Verification;

/// <summary>Rules on the image's files: what must be there (binary, config, CA bundle, nonroot) and what must not (shells, package managers).</summary>
internal static class FileRules
{
    public static async Task<IReadOnlyList<CheckResult>> CheckAsync(ImageFileReader files, CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        var binary = await files.ReadFileAsync(ImageExpectations.Executable, cancellationToken);
        results.Add(Executable(binary));
        foreach (var config in ImageExpectations.ConfigFiles)
        {
            results.Add(NonEmpty($"file: {config}", await files.ReadFileAsync(config, cancellationToken), "default config"));
        }

        results.Add(NonEmpty("file: CA bundle", await files.ReadFileAsync("/etc/ssl/certs/ca-certificates.crt", cancellationToken), "certificates"));
        results.Add(Passwd(await files.ReadFileAsync("/etc/passwd", cancellationToken)));
        var present = new List<string>();
        foreach (var forbidden in ImageExpectations.ForbiddenFiles)
        {
            if (await files.ReadFileAsync(forbidden, cancellationToken) is not null)
            {
                present.Add(forbidden);
            }
        }

        results.Add(CheckResult.When(present.Count == 0, "file: no shell, package manager or python",
            present.Count == 0 ? $"none of {ImageExpectations.ForbiddenFiles.Length} present" : $"present: {string.Join(", ", present)}"));
        return results;
    }

    public static CheckResult Executable(ImageFile? binary)
    {
        const string check = "file: " + ImageExpectations.Executable;
        if (binary is null || !binary.IsRegularFile)
        {
            return CheckResult.Fail(check, binary is null ? "missing" : $"not a regular file ({binary.Type})");
        }

        var executable = binary.Mode.HasFlag(UnixFileMode.OtherExecute) || binary.Mode.HasFlag(UnixFileMode.GroupExecute);
        var isElf = binary.Content.Length > 4 && binary.Content.AsSpan(0, 4).SequenceEqual("\u007fELF"u8);
        return CheckResult.When(executable && isElf, check,
            !isElf ? $"{binary.Content.Length} bytes, not an ELF executable" : !executable ? $"mode {binary.Mode}: not executable for user 65532" : $"ELF, {binary.Content.Length / 1e6:0.0} MB");
    }

    private static CheckResult NonEmpty(string check, ImageFile? file, string what) =>
        file is null ? CheckResult.Fail(check, "missing")
        : file.Content.Length == 0 ? CheckResult.Fail(check, $"empty {what}")
        : CheckResult.Pass(check, $"{what}, {file.Content.Length} bytes");

    public static CheckResult Passwd(ImageFile? passwd)
    {
        const string check = "file: /etc/passwd has nonroot";
        if (passwd is null)
        {
            return CheckResult.Fail(check, "/etc/passwd missing");
        }

        var nonroot = Encoding.UTF8.GetString(passwd.Content).Split('\n').FirstOrDefault(l => l.StartsWith("nonroot:", StringComparison.Ordinal));
        var fields = nonroot?.Split(':');
        return CheckResult.When(fields is { Length: >= 4 } && fields[2] == "65532" && fields[3] == "65532", check, nonroot ?? "no nonroot entry");
    }
}
