using ServiceMesh.Build.Testing;

namespace ServiceMesh.Build.Tests.Testing;

public sealed class TrxReaderTests
{
    private const string Trx = """
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <Times creation="2026-11-28T10:00:00.000+00:00" start="2026-11-28T10:00:00.000+00:00" finish="2026-11-28T10:00:12.500+00:00" />
          <Results>
            <UnitTestResult testName="A.Passes" outcome="Passed" />
            <UnitTestResult testName="A.AlsoPasses" outcome="Passed" />
            <UnitTestResult testName="A.Breaks" outcome="Failed" />
            <UnitTestResult testName="A.NeedsDocker" outcome="NotExecuted" />
          </Results>
          <ResultSummary outcome="Failed"><Counters total="4" executed="3" passed="2" failed="1" /></ResultSummary>
        </TestRun>
        """;

    [Fact]
    public void Read_MixedOutcomes_CountsEachAndNamesFailures()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Trx);

            var summary = TrxReader.Read("Sample.Tests", path);

            summary.Passed.ShouldBe(2);
            summary.Failed.ShouldBe(1);
            summary.Skipped.ShouldBe(1);
            summary.FailedTests.ShouldBe(["A.Breaks"]);
            summary.Duration.ShouldBe(TimeSpan.FromSeconds(12.5));
            summary.CountLine.ShouldBe("2 passed, 1 failed, 1 skipped");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Sum_SeveralProjects_AddsCounts()
    {
        var total = TestRunSummary.Sum("Total", [
            new TestRunSummary("a", 3, 0, 1, TimeSpan.FromSeconds(1), []),
            new TestRunSummary("b", 4, 2, 0, TimeSpan.FromSeconds(2), ["b.x", "b.y"]),
        ]);

        total.CountLine.ShouldBe("7 passed, 2 failed, 1 skipped");
        total.FailedTests.ShouldBe(["b.x", "b.y"]);
    }
}
