using System.Globalization;
using System.Xml.Linq;
using Spectre.Console;

namespace ServiceMesh.Build.Verification;

/// <summary>The verification results as a console table and as JUnit XML (one testcase per check) for CI.</summary>
internal static class VerificationReport
{
    public static Table Table(string image, IReadOnlyList<CheckResult> results)
    {
        var failed = results.Count(r => !r.Passed);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]VerifyImage {Markup.Escape(image)}: {results.Count - failed} passed, {failed} failed[/]");
        table.AddColumn("Check");
        table.AddColumn("Result");
        table.AddColumn("Detail");
        foreach (var result in results)
        {
            table.AddRow(Markup.Escape(result.Check), result.Passed ? "[green]pass[/]" : "[red]FAIL[/]", Markup.Escape(result.Detail));
        }

        return table;
    }

    public static XDocument JUnit(string image, IReadOnlyList<CheckResult> results, TimeSpan duration, DateTimeOffset timestamp)
    {
        var suite = new XElement("testsuite",
            new XAttribute("name", $"VerifyImage {image}"),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", results.Count(r => !r.Passed)),
            new XAttribute("errors", 0),
            new XAttribute("time", duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)),
            new XAttribute("timestamp", timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)));
        foreach (var result in results)
        {
            var testCase = new XElement("testcase", new XAttribute("classname", "VerifyImage." + result.Check.Split(':')[0]), new XAttribute("name", result.Check));
            testCase.Add(result.Passed
                ? new XElement("system-out", result.Detail)
                : new XElement("failure", new XAttribute("message", result.Detail), result.Detail));
            suite.Add(testCase);
        }

        return new XDocument(new XElement("testsuites", suite));
    }
}
