using ServiceMesh.Build.Verification;

namespace ServiceMesh.Build.Tests.Verification;

public sealed class VerificationReportTests
{
    private static readonly CheckResult[] Results =
    [
        CheckResult.Pass("metadata: platform", "linux/arm64"),
        CheckResult.Fail("marker: base", "digest mismatch"),
    ];

    [Fact]
    public void JUnit_OneFailure_CountsItAndCarriesTheDetail()
    {
        var document = VerificationReport.JUnit("img:1-arm64", Results, TimeSpan.FromSeconds(2), DateTimeOffset.UnixEpoch);

        var suite = document.Root!.Element("testsuite")!;
        suite.Attribute("tests")!.Value.ShouldBe("2");
        suite.Attribute("failures")!.Value.ShouldBe("1");
        var failure = suite.Elements("testcase").Single(c => c.Attribute("name")!.Value == "marker: base").Element("failure")!;
        failure.Attribute("message")!.Value.ShouldBe("digest mismatch");
    }

    [Fact]
    public void Table_Title_SaysHowManyPassedAndFailed()
    {
        using var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output), Ansi = Spectre.Console.AnsiSupport.No });
        console.Profile.Width = 200;

        console.Write(VerificationReport.Table("img:1-arm64", Results));

        output.ToString().ShouldContain("1 passed, 1 failed");
        output.ToString().ShouldContain("FAIL");
    }
}
