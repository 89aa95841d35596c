using Spectre.Console;

namespace ServiceMesh.Build.Engine;

internal static class HelpPrinter
{
    public static void Print(IAnsiConsole console, TargetGraph graph, IReadOnlyList<ResolvedParameter> parameters, string environmentPrefix)
    {
        console.MarkupLine("[bold]Usage:[/] ./build.sh [[targets]] [[--parameter value …]] [[--skip [[targets]]]] [[--plan]] [[--help]]");
        console.WriteLine();
        var targets = new Table().Border(TableBorder.Simple).Title("[bold]Targets[/]");
        targets.AddColumn("Target");
        targets.AddColumn("Description");
        targets.AddColumn("Depends on");
        foreach (var node in graph.Nodes)
        {
            targets.AddRow(Markup.Escape(node.Name), Markup.Escape(node.Description), Markup.Escape(string.Join(", ", node.DependsOn)));
        }

        console.Write(targets);

        var table = new Table().Border(TableBorder.Simple).Title("[bold]Parameters[/]");
        table.AddColumn("Parameter");
        table.AddColumn("Type");
        table.AddColumn("Description");
        table.AddColumn("Value");
        table.AddColumn("From");
        foreach (var p in parameters)
        {
            table.AddRow(
                Markup.Escape("--" + ParameterValues.ToKebabCase(p.Name)),
                Markup.Escape(ParameterValues.Describe(p.Type)),
                Markup.Escape(p.Description),
                Markup.Escape(p.DisplayValue),
                Markup.Escape(p.Source == ParameterSource.Default ? "default" : $"{p.Source}: {p.SourceDetail}"));
        }

        console.Write(table);
        console.MarkupLineInterpolated($"Precedence: command line > .nuke/parameters.json > environment ({environmentPrefix}<NAME>) > default.");
        console.MarkupLine("--skip without names skips every dependency not named on the command line; --plan prints the order and runs nothing.");
    }
}
