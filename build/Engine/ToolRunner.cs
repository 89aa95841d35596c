using System.Text;
using CliWrap;
using Spectre.Console;

namespace ServiceMesh.Build.Engine;

/// <summary>Runs a command-line tool with its output streamed to the console; a non-zero exit fails the target.</summary>
public sealed class ToolRunner
{
    private readonly IAnsiConsole _console;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _workingDirectory;

    public ToolRunner(IAnsiConsole console, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        _console = console;
        _environment = environment;
        _workingDirectory = workingDirectory;
    }

    /// <summary>
    /// Runs the tool; returns its exit code, throwing unless it is in <paramref name="acceptedExitCodes"/> (default: 0).
    /// <paramref name="standardInputFile"/>, when given, is streamed to the tool's standard input.
    /// </summary>
    public async Task<int> RunAsync(
        string executable,
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        Action<string>? onOutputLine = null,
        bool quiet = false,
        IReadOnlyCollection<int>? acceptedExitCodes = null,
        string? standardInputFile = null)
    {
        var args = arguments.ToList();
        var display = $"{executable} {string.Join(" ", args.Select(Quote))}" + (standardInputFile is null ? "" : $" < {standardInputFile}");
        _console.MarkupLineInterpolated($"[grey]> {display}[/]");

        var tail = new Queue<string>();
        void Line(string line)
        {
            onOutputLine?.Invoke(line);
            if (!quiet)
            {
                _console.Profile.Out.Writer.WriteLine(line);
            }
            else
            {
                tail.Enqueue(line);
                if (tail.Count > 40)
                {
                    tail.Dequeue();
                }
            }
        }

        var variables = _environment.ToDictionary(e => e.Key, e => (string?)e.Value);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        var result = await Cli.Wrap(executable)
            .WithArguments(args)
            .WithWorkingDirectory(workingDirectory ?? _workingDirectory)
            .WithEnvironmentVariables(variables)
            .WithStandardInputPipe(standardInputFile is null ? PipeSource.Null : PipeSource.FromFile(standardInputFile))
            .WithStandardOutputPipe(PipeTarget.ToDelegate(Line, Encoding.UTF8))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(Line, Encoding.UTF8))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(cancellationToken);

        var accepted = acceptedExitCodes ?? [0];
        if (!accepted.Contains(result.ExitCode))
        {
            foreach (var line in tail)
            {
                _console.Profile.Out.Writer.WriteLine(line);
            }

            throw new BuildFailureException($"'{display}' exited with code {result.ExitCode}.");
        }

        return result.ExitCode;
    }

    /// <summary>
    /// Runs the tool for its standard output (returned whole; standard error goes to the console, so a warning cannot
    /// end up in what is parsed); a non-zero exit fails the target.
    /// </summary>
    public async Task<string> ReadOutputAsync(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var args = arguments.ToList();
        var display = $"{executable} {string.Join(" ", args.Select(Quote))}";
        _console.MarkupLineInterpolated($"[grey]> {display}[/]");
        var variables = _environment.ToDictionary(e => e.Key, e => (string?)e.Value);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        var output = new StringBuilder();
        var result = await Cli.Wrap(executable)
            .WithArguments(args)
            .WithWorkingDirectory(_workingDirectory)
            .WithEnvironmentVariables(variables)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(output, Encoding.UTF8))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line => _console.Profile.Out.Writer.WriteLine(line), Encoding.UTF8))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(cancellationToken);
        return result.ExitCode == 0 ? output.ToString() : throw new BuildFailureException($"'{display}' exited with code {result.ExitCode}.");
    }

    /// <summary>The tool's output when it exits 0; null when it fails or is not installed (for probing what a machine has).</summary>
    public async Task<string?> TryRunAsync(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var output = new List<string>();
        try
        {
            var exitCode = await RunAsync(executable, arguments, cancellationToken, onOutputLine: output.Add, quiet: true, acceptedExitCodes: Enumerable.Range(0, 256).ToArray());
            return exitCode == 0 ? string.Join("\n", output).Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string Quote(string arg) => arg.Length == 0 || arg.Any(char.IsWhiteSpace) ? $"\"{arg}\"" : arg;
}
