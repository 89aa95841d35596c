namespace ServiceMesh.Build.Tests.Engine;

public sealed class SkipTests
{
    [Fact]
    public void Run_SkipWithoutValues_SkipsEveryDependencyNotNamed()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "C --skip").ShouldBe(0);

        build.Ran.ShouldBe(["C"]);
        harness.SummaryRow("A").ShouldContain("Skipped");
        harness.SummaryRow("B").ShouldContain("Skipped");
        harness.SummaryRow("C").ShouldContain("Succeeded");
    }

    [Fact]
    public void Run_SkipWithoutValues_KeepsEveryNamedTarget()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "B C --skip").ShouldBe(0);

        build.Ran.ShouldBe(["B", "C"]);
    }

    [Fact]
    public void Run_SkipWithValues_SkipsOnlyThose()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "C --skip A").ShouldBe(0);

        build.Ran.ShouldBe(["B", "C"]);
    }

    [Fact]
    public void Run_SkipWithSeveralValues_SkipsAllOfThem()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "C --skip A B").ShouldBe(0);

        build.Ran.ShouldBe(["C"]);
    }

    [Fact]
    public void Run_SkipUnknownTarget_ExitsTwo()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "C --skip Nope").ShouldBe(2);

        build.Ran.ShouldBeEmpty();
        harness.Output.ShouldContain("Target 'Nope' not found");
    }

    [Fact]
    public void Run_PlanWithSkip_MarksSkippedTargets()
    {
        using var harness = new BuildHarness();

        harness.Run(new SampleBuild(), "C --skip A --plan").ShouldBe(0);

        harness.Output.ShouldContain("1. A (skipped)");
    }

    [Fact]
    public void Run_ConditionFalse_SkipsWithReasonAndContinues()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "H").ShouldBe(0);

        build.Ran.ShouldBe(["A"]);
        harness.SummaryRow("H").ShouldContain("Skipped");
        harness.SummaryRow("H").ShouldContain("no engine here");
    }
}
