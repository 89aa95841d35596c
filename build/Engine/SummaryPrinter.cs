using Spectre.Console;

namespace ServiceMesh.Build.Engine;

internal static class SummaryPrinter
{
    public static void Print(IAnsiConsole console, IReadOnlyList<TargetResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Build summary[/]");
        table.AddColumn("Target");
        table.AddColumn("Status");
        table.AddColumn(new TableColumn("Duration").RightAligned());
        table.AddColumn("Note");
        foreach (var result in results)
        {
            var color = result.Status switch
            {
                TargetStatus.Succeeded => "green",
                TargetStatus.Failed or TargetStatus.Aborted => "red",
                TargetStatus.Skipped => "yellow",
                _ => "grey",
            };
            table.AddRow(
                Markup.Escape(result.Name),
                $"[{color}]{result.Status}[/]",
                FormatDuration(result.Duration),
                Markup.Escape(result.Note));
        }

        var total = results.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Duration);
        table.AddRow("[bold]Total[/]", "", FormatDuration(total), "");
        console.Write(table);
        var failed = results.Any(r => r.Status is TargetStatus.Failed or TargetStatus.Aborted);
        console.MarkupLine(failed ? "[red]Build failed.[/]" : "[green]Build succeeded.[/]");
    }

    public static string FormatDuration(TimeSpan duration) =>
        duration == TimeSpan.Zero ? "-" : $"{(int)duration.TotalMinutes}:{duration.Seconds:00}.{duration.Milliseconds / 100}";
}
