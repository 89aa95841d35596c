using ServiceMesh.Build.Engine;
using Spectre.Console;
using Xunit.Abstractions;

namespace ServiceMesh.Image.Tests;

/// <summary>Runs the repository's build in-process with explicit arguments and environment, capturing its output.</summary>
internal sealed class InProcessBuild
{
    private readonly ITestOutputHelper _output;

    public InProcessBuild(ITestOutputHelper output) => _output = output;

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Runs the targets; returns the exit code and the whole output (also written to the test's output).</summary>
    public (int ExitCode, string Output) Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken = default)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        var exitCode = BuildRunner.Run(new Build.Build(), [.. args, "--root", RepositoryRoot], environment, console, RepositoryRoot, cancellationToken);
        var text = writer.ToString();
        _output.WriteLine($"$ build {string.Join(' ', args)}  -> exit {exitCode}");
        _output.WriteLine(text);
        return (exitCode, text);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ServiceMesh.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ServiceMesh.sln above {AppContext.BaseDirectory}.");
    }
}
