using ServiceMesh.Build.Engine;
using Spectre.Console;

namespace ServiceMesh.Build.Tests.Engine;

/// <summary>Runs a build in-process with its own root folder, environment and captured console: no global state.</summary>
internal sealed class BuildHarness : IDisposable
{
    private readonly StringWriter _output = new();

    public BuildHarness(string? parametersJson = null)
    {
        Root = Directory.CreateTempSubdirectory("build-tests-").FullName;
        if (parametersJson is not null)
        {
            Directory.CreateDirectory(Path.Combine(Root, ".nuke"));
            File.WriteAllText(Path.Combine(Root, ".nuke", "parameters.json"), parametersJson);
        }
    }

    public string Root { get; }

    public string Output => _output.ToString();

    public int Run(BuildBase build, string args, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 240;
        return BuildRunner.Run(
            build,
            args.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            environment ?? new Dictionary<string, string>(),
            console,
            Root,
            cancellationToken);
    }

    /// <summary>The summary row of a target, e.g. "│ Compile │ Succeeded │ …".</summary>
    public string SummaryRow(string target) =>
        Output.Split('\n').Last(l => l.Contains($" {target} ", StringComparison.Ordinal) && l.Contains('│'));

    public void Dispose()
    {
        _output.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
