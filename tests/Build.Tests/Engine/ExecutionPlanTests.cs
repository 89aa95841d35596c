namespace ServiceMesh.Build.Tests.Engine;

public sealed class ExecutionPlanTests
{
    [Fact]
    public void Run_TargetWithChain_RunsDependenciesFirstInOrder()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "C").ShouldBe(0);

        build.Ran.ShouldBe(["A", "B", "C"]);
    }

    [Fact]
    public void Run_TwoTargetsSharingADependency_RunsItOnce()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "C E").ShouldBe(0);

        build.Ran.ShouldBe(["A", "B", "C", "E"]);
    }

    [Fact]
    public void Run_AfterTargetNamedFirst_StillRunsAfterItsPredecessor()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "D C").ShouldBe(0);

        build.Ran.ShouldBe(["A", "B", "C", "D"]);
    }

    [Fact]
    public void Run_AfterTargetAlone_DoesNotPullInItsPredecessor()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "D").ShouldBe(0);

        build.Ran.ShouldBe(["D"]);
    }

    [Fact]
    public void Run_TargetNamesInAnyCase_AreFound()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "b").ShouldBe(0);

        build.Ran.ShouldBe(["A", "B"]);
    }

    [Fact]
    public void Run_Plan_PrintsOrderAndRunsNothing()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "C --plan").ShouldBe(0);

        build.Ran.ShouldBeEmpty();
        var lines = harness.Output.Split('\n').Select(l => l.Trim()).ToList();
        lines.IndexOf("1. A").ShouldBeLessThan(lines.IndexOf("2. B"));
        lines.IndexOf("2. B").ShouldBeLessThan(lines.IndexOf("3. C"));
    }

    [Fact]
    public void Run_UnknownTarget_ExitsTwoListingAvailableTargets()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "Nope").ShouldBe(2);

        build.Ran.ShouldBeEmpty();
        harness.Output.ShouldContain("Target 'Nope' not found. Available: A, B, C, D, E, F, G, H");
    }

    [Fact]
    public void Run_DependencyCycle_ExitsTwoNamingTheCycle()
    {
        using var harness = new BuildHarness();

        harness.Run(new CyclicBuild(), "X").ShouldBe(2);

        harness.Output.ShouldContain("Circular dependency: X -> Y -> X");
    }

    [Fact]
    public void Run_CycleThroughAfter_ExitsTwoNamingTheCycle()
    {
        using var harness = new BuildHarness();

        harness.Run(new AfterCycleBuild(), "Q").ShouldBe(2);

        harness.Output.ShouldContain("Circular dependency: P -> Q -> P");
    }

    [Fact]
    public void Run_NoTargetAndNoDefault_PrintsHelpAndExitsTwo()
    {
        using var harness = new BuildHarness();

        harness.Run(new SampleBuild(), "").ShouldBe(2);

        harness.Output.ShouldContain("Targets");
    }
}
