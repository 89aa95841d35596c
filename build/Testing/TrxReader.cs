using System.Xml.Linq;
using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Testing;

/// <summary>Counts of one test project's run.</summary>
internal sealed record TestRunSummary(string Project, int Passed, int Failed, int Skipped, TimeSpan Duration, IReadOnlyList<string> FailedTests)
{
    public string CountLine => $"{Passed} passed, {Failed} failed, {Skipped} skipped";

    public static TestRunSummary Sum(string name, IReadOnlyCollection<TestRunSummary> runs) => new(
        name,
        runs.Sum(r => r.Passed),
        runs.Sum(r => r.Failed),
        runs.Sum(r => r.Skipped),
        runs.Aggregate(TimeSpan.Zero, (t, r) => t + r.Duration),
        runs.SelectMany(r => r.FailedTests).ToList());
}

/// <summary>Reads the outcome of every test from a VSTest TRX file (per result, not the Counters element, so skips count right).</summary>
internal static class TrxReader
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public static TestRunSummary Read(string project, string path)
    {
        XDocument document;
        try
        {
            document = XDocument.Load(path);
        }
        catch (System.Xml.XmlException e)
        {
            throw new BuildFailureException($"{path} is not a readable TRX file: {e.Message}");
        }

        var results = document.Descendants(Ns + "UnitTestResult").ToList();
        int Count(string outcome) => results.Count(r => (string?)r.Attribute("outcome") == outcome);
        var times = document.Descendants(Ns + "Times").FirstOrDefault();
        var duration = times is not null
            && DateTimeOffset.TryParse((string?)times.Attribute("start"), out var start)
            && DateTimeOffset.TryParse((string?)times.Attribute("finish"), out var finish)
            ? finish - start
            : TimeSpan.Zero;
        var failed = results.Where(r => (string?)r.Attribute("outcome") is "Failed" or "Error" or "Timeout" or "Aborted")
            .Select(r => (string?)r.Attribute("testName") ?? "?")
            .ToList();
        return new TestRunSummary(project, Count("Passed"), failed.Count, Count("NotExecuted"), duration, failed);
    }
}
