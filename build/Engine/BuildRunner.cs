using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Spectre.Console;

namespace ServiceMesh.Build.Engine;

/// <summary>Parses the command line, resolves parameters, plans and runs targets, and prints the summary.</summary>
internal static class BuildRunner
{
    /// <summary>Entry point for the real process: real environment, real console, Ctrl-C/SIGTERM abort the run.</summary>
    public static int Execute<TBuild>(string[] args)
        where TBuild : BuildBase, new()
    {
        using var cancellation = new CancellationTokenSource();
        void Abort(PosixSignalContext context)
        {
            context.Cancel = true; // let the running target end as Aborted and the summary print
            cancellation.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Abort);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Abort);
        var environment = System.Environment.GetEnvironmentVariables()
            .Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        var console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected)
        {
            console.Profile.Width = 200; // logs and CI: do not wrap tables at 80 columns
        }

        return Run(new TBuild(), args, environment, console, Directory.GetCurrentDirectory(), cancellation.Token);
    }

    /// <summary>Runs a build with everything explicit, so tests can run many in parallel.</summary>
    public static int Run(
        BuildBase build,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> environment,
        IAnsiConsole console,
        string defaultRoot,
        CancellationToken cancellationToken)
    {
        build.Console = console;
        build.Environment = environment;
        try
        {
            var arguments = BuildArguments.Parse(args, name => ParameterResolver.ArityOf(build, name));
            build.RootDirectory = Path.GetFullPath(arguments.Root ?? defaultRoot);
            build.CommandLineParameters = arguments.Options;
            var graph = TargetGraph.Create(build);
            var parameters = ParameterResolver.Resolve(
                build,
                arguments.Options,
                Path.Combine(build.RootDirectory, ".nuke", "parameters.json"),
                environment,
                build.EnvironmentPrefix);

            if (arguments.Help)
            {
                HelpPrinter.Print(console, graph, parameters, build.EnvironmentPrefix);
                return ExitCodes.Success;
            }

            var invoked = arguments.Targets.Count > 0 ? arguments.Targets : build.DefaultTargets;
            if (invoked.Count == 0)
            {
                HelpPrinter.Print(console, graph, parameters, build.EnvironmentPrefix);
                return ExitCodes.UsageError;
            }

            var plan = ExecutionPlanner.Plan(graph, invoked);
            var skipped = ResolveSkips(graph, arguments.Skip, invoked);
            if (arguments.Plan)
            {
                console.MarkupLine("[bold]Execution plan[/]");
                foreach (var (node, index) in plan.Select((n, i) => (n, i + 1)))
                {
                    var mark = skipped.Contains(node.Name) ? " (skipped)" : "";
                    console.WriteLine($"{index,3}. {node.Name}{mark}");
                }

                return ExitCodes.Success;
            }

            build.ScheduledTargets = plan.Select(n => n.Name).Where(n => !skipped.Contains(n)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var results = Execute(build, plan, skipped, console, cancellationToken);
            SummaryPrinter.Print(console, results);
            return results.Any(r => r.Status == TargetStatus.Aborted) ? ExitCodes.Aborted
                : results.Any(r => r.Status == TargetStatus.Failed) ? ExitCodes.TargetFailed
                : ExitCodes.Success;
        }
        catch (BuildFailureException e)
        {
            console.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return e.ExitCode;
        }
    }

    /// <summary><c>--skip</c> alone skips every planned target not named on the command line; with names, those.</summary>
    private static HashSet<string> ResolveSkips(TargetGraph graph, IReadOnlyList<string>? skip, IReadOnlyList<string> invoked)
    {
        var result = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (skip is null)
        {
            return result;
        }

        if (skip.Count == 0)
        {
            result.UnionWith(graph.Nodes.Select(n => n.Name).Except(invoked, StringComparer.OrdinalIgnoreCase));
            return result;
        }

        foreach (var name in skip.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            result.Add((graph.Find(name) ?? throw ExecutionPlanner.NotFound(graph, name)).Name);
        }

        return result;
    }

    private static List<TargetResult> Execute(
        BuildBase build,
        IReadOnlyList<TargetNode> plan,
        HashSet<string> skipped,
        IAnsiConsole console,
        CancellationToken cancellationToken)
    {
        var results = new List<TargetResult>();
        var stopped = false;
        foreach (var node in plan)
        {
            if (stopped)
            {
                results.Add(new TargetResult(node.Name, TargetStatus.NotRun, TimeSpan.Zero, ""));
                continue;
            }

            if (skipped.Contains(node.Name))
            {
                results.Add(new TargetResult(node.Name, TargetStatus.Skipped, TimeSpan.Zero, "--skip"));
                continue;
            }

            var unmet = node.Conditions.FirstOrDefault(c => !c.Condition());
            if (unmet.Condition is not null)
            {
                console.MarkupLineInterpolated($"[yellow]Skipping {node.Name}: {unmet.Reason}[/]");
                results.Add(new TargetResult(node.Name, TargetStatus.Skipped, TimeSpan.Zero, unmet.Reason));
                continue;
            }

            var result = RunTarget(build, node, console, cancellationToken);
            results.Add(result);
            stopped = result.Status is TargetStatus.Failed or TargetStatus.Aborted;
        }

        return results;
    }

    private static TargetResult RunTarget(BuildBase build, TargetNode node, IAnsiConsole console, CancellationToken cancellationToken)
    {
        console.Write(new Rule($"[bold]{Markup.Escape(node.Name)}[/]").LeftJustified());
        var stopwatch = Stopwatch.StartNew();
        build.TakeNotes();
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var action in node.Actions)
            {
                action(cancellationToken).GetAwaiter().GetResult();
            }

            return new TargetResult(node.Name, TargetStatus.Succeeded, stopwatch.Elapsed, build.TakeNotes());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLineInterpolated($"[red]{node.Name} aborted.[/]");
            return new TargetResult(node.Name, TargetStatus.Aborted, stopwatch.Elapsed, build.TakeNotes());
        }
        catch (BuildFailureException e)
        {
            console.MarkupLineInterpolated($"[red]{node.Name} failed: {e.Message}[/]");
            return new TargetResult(node.Name, TargetStatus.Failed, stopwatch.Elapsed, Join(build.TakeNotes(), e.Message));
        }
#pragma warning disable CA1031 // a target's unexpected exception fails that target and is reported in full
        catch (Exception e)
#pragma warning restore CA1031
        {
            console.WriteException(e, ExceptionFormats.ShortenEverything);
            return new TargetResult(node.Name, TargetStatus.Failed, stopwatch.Elapsed, Join(build.TakeNotes(), e.Message));
        }
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : $"{a}; {b}";
}
