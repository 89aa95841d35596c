namespace ServiceMesh.Build.Tests.Engine;

public sealed class ExecutionOutcomeTests
{
    [Fact]
    public void Run_FailingTarget_ExitsOneAndLeavesLaterTargetsNotRun()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "G E").ShouldBe(1);

        build.Ran.ShouldBe(["A"]);
        harness.SummaryRow("F").ShouldContain("Failed");
        harness.SummaryRow("F").ShouldContain("F broke on purpose");
        harness.SummaryRow("G").ShouldContain("NotRun");
        harness.SummaryRow("E").ShouldContain("NotRun");
        harness.Output.ShouldContain("Build failed.");
    }

    [Fact]
    public void Run_Success_SummaryListsEveryTargetWithStatusAndNote()
    {
        using var harness = new BuildHarness();

        harness.Run(new SampleBuild(), "C").ShouldBe(0);

        harness.SummaryRow("A").ShouldContain("Succeeded");
        harness.SummaryRow("B").ShouldContain("Succeeded");
        harness.SummaryRow("C").ShouldContain("c-note");
        harness.Output.ShouldContain("Build succeeded.");
    }

    [Fact]
    public void Run_CancelledWhileTargetRuns_MarksItAbortedAndRestNotRun()
    {
        using var harness = new BuildHarness();
        using var cancellation = new CancellationTokenSource();
        var build = new SampleBuild
        {
            DuringC = async ct =>
            {
                await cancellation.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
            },
        };

        harness.Run(build, "C D", cancellationToken: cancellation.Token).ShouldBe(130);

        harness.SummaryRow("C").ShouldContain("Aborted");
        harness.SummaryRow("D").ShouldContain("NotRun");
    }

    [Fact]
    public void Run_UnexpectedException_FailsTargetWithItsMessage()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild { DuringC = _ => throw new InvalidOperationException("disk on fire") };

        harness.Run(build, "C").ShouldBe(1);

        harness.SummaryRow("C").ShouldContain("disk on fire");
    }
}
