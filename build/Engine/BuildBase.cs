using Spectre.Console;

namespace ServiceMesh.Build.Engine;

/// <summary>
/// What a build class derives from (NUKE's <c>NukeBuild</c>): where it runs, its console and environment,
/// and a way for a running target to leave a note in the summary.
/// </summary>
public abstract class BuildBase
{
    private readonly List<string> _notes = [];

    /// <summary>The repository root (from <c>--root</c>, which build.sh passes).</summary>
    public string RootDirectory { get; internal set; } = Directory.GetCurrentDirectory();

    public string ArtifactsDirectory => Path.Combine(RootDirectory, "artifacts");

    public IAnsiConsole Console { get; internal set; } = AnsiConsole.Console;

    /// <summary>The environment this run sees; child processes inherit it plus what a target adds.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; internal set; } = new Dictionary<string, string>();

    /// <summary>Prefix of environment variables that set parameters (<c>MESH_CONFIGURATION</c>).</summary>
    public virtual string EnvironmentPrefix => "MESH_";

    /// <summary>Targets run when the command line names none.</summary>
    public virtual IReadOnlyList<string> DefaultTargets => [];

    /// <summary>The parameters given on this run's command line (kebab-case name → values), for a child run of the same build.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> CommandLineParameters { get; internal set; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The targets this run executes (after --skip), so a target can adapt to what comes after it.</summary>
    public IReadOnlySet<string> ScheduledTargets { get; internal set; } = new HashSet<string>();

    /// <summary>Adds a short note (test counts, image size…) to the running target's summary row.</summary>
    protected void Note(string text) => _notes.Add(text);

    internal string TakeNotes()
    {
        var text = string.Join("; ", _notes);
        _notes.Clear();
        return text;
    }

    protected ToolRunner Tools => new(Console, Environment, RootDirectory);
}
