namespace ServiceMesh.Build.Tests.Engine;

public sealed class ParameterTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["MESH_GREETING"] = "from-env",
        ["MESH_RETRIES"] = "3",
        ["MESH_PLATFORMS"] = "linux/amd64,linux/arm64",
    };

    [Fact]
    public void Run_ValueInAllSources_CommandLineWins()
    {
        using var harness = new BuildHarness("""{ "Greeting": "from-file" }""");
        var build = new SampleBuild();

        harness.Run(build, "A --greeting from-cli", Environment).ShouldBe(0);

        build.Greeting.ShouldBe("from-cli");
    }

    [Fact]
    public void Run_ValueInFileAndEnvironment_FileWins()
    {
        using var harness = new BuildHarness("""{ "Greeting": "from-file" }""");
        var build = new SampleBuild();

        harness.Run(build, "A", Environment).ShouldBe(0);

        build.Greeting.ShouldBe("from-file");
    }

    [Fact]
    public void Run_ValueOnlyInEnvironment_EnvironmentWinsOverDefault()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "A", Environment).ShouldBe(0);

        build.Greeting.ShouldBe("from-env");
        build.RetriesValue.ShouldBe(3);
        build.PlatformsValue.ShouldBe(["linux/amd64", "linux/arm64"]);
    }

    [Fact]
    public void Run_NoValueAnywhere_KeepsDefault()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "A").ShouldBe(0);

        build.Greeting.ShouldBe("hello");
        build.RetriesValue.ShouldBe(1);
        build.VerboseValue.ShouldBeFalse();
    }

    [Fact]
    public void Run_TypedValuesOnCommandLine_AreConverted()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "A --retries 5 --platforms linux/amd64 linux/arm64 --verbose").ShouldBe(0);

        build.RetriesValue.ShouldBe(5);
        build.PlatformsValue.ShouldBe(["linux/amd64", "linux/arm64"]);
        build.VerboseValue.ShouldBeTrue();
    }

    [Fact]
    public void Run_TypedValuesInFile_AreConverted()
    {
        using var harness = new BuildHarness("""{ "Retries": 7, "Platforms": ["linux/amd64"], "Verbose": true }""");
        var build = new SampleBuild();

        harness.Run(build, "A").ShouldBe(0);

        build.RetriesValue.ShouldBe(7);
        build.PlatformsValue.ShouldBe(["linux/amd64"]);
        build.VerboseValue.ShouldBeTrue();
    }

    [Fact]
    public void Run_NonIntegerOnCommandLine_ExitsTwoNamingParameterAndExpectation()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "A --retries many").ShouldBe(2);

        build.Ran.ShouldBeEmpty();
        harness.Output.ShouldContain("Parameter 'Retries' from the command line (--retries) has the value 'many'; expected an integer.");
    }

    [Fact]
    public void Run_NonIntegerInEnvironment_ExitsTwoNamingTheVariable()
    {
        using var harness = new BuildHarness();

        harness.Run(new SampleBuild(), "A", new Dictionary<string, string> { ["MESH_RETRIES"] = "x" }).ShouldBe(2);

        harness.Output.ShouldContain("MESH_RETRIES");
    }

    [Fact]
    public void Run_BadBooleanInFile_ExitsTwo()
    {
        using var harness = new BuildHarness("""{ "Verbose": "sometimes" }""");

        harness.Run(new SampleBuild(), "A").ShouldBe(2);

        harness.Output.ShouldContain("expected true or false");
    }

    [Fact]
    public void Run_UnknownParameter_ExitsTwoListingKnownOnes()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "A --colour blue").ShouldBe(2);

        build.Ran.ShouldBeEmpty();
        harness.Output.ShouldContain("Unknown parameter '--colour'");
        harness.Output.ShouldContain("--greeting");
    }

    [Fact]
    public void Run_UnknownKeyInParametersFile_ExitsTwo()
    {
        using var harness = new BuildHarness("""{ "Colour": "blue" }""");

        harness.Run(new SampleBuild(), "A").ShouldBe(2);

        harness.Output.ShouldContain("unknown parameter 'Colour'");
    }

    [Fact]
    public void Run_MalformedParametersFile_ExitsTwo()
    {
        using var harness = new BuildHarness("{ not json");

        harness.Run(new SampleBuild(), "A").ShouldBe(2);

        harness.Output.ShouldContain("is not valid JSON");
    }

    [Fact]
    public void Run_Help_ListsTargetsAndParametersWithSources()
    {
        using var harness = new BuildHarness("""{ "Retries": 4 }""");
        var build = new SampleBuild();

        harness.Run(build, "--help --greeting hi", new Dictionary<string, string> { ["MESH_API_TOKEN"] = "s3cret" }).ShouldBe(0);

        build.Ran.ShouldBeEmpty();
        var output = harness.Output;
        output.ShouldContain("first");
        output.ShouldContain("--greeting");
        output.ShouldContain("CommandLine: --greeting");
        output.ShouldContain("ParametersFile: .nuke/parameters.json");
        output.ShouldContain("Environment: MESH_API_TOKEN");
        output.ShouldContain("(set, hidden)");
        output.ShouldNotContain("s3cret");
        build.ApiTokenValue.ShouldBe("s3cret");
    }

    [Fact]
    public void Run_TargetAfterSingleValuedParameter_IsATarget()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, "--greeting hi B --verbose C").ShouldBe(0);

        build.Greeting.ShouldBe("hi");
        build.VerboseValue.ShouldBeTrue();
        build.Ran.ShouldBe(["A", "B", "C"]);
    }

    [Fact]
    public void Run_RootOptionBeforeTargets_SetsRootAndKeepsTargets()
    {
        using var harness = new BuildHarness();
        var build = new SampleBuild();

        harness.Run(build, $"--root {harness.Root} B").ShouldBe(0);

        build.Ran.ShouldBe(["A", "B"]);
        build.RootDirectory.ShouldBe(harness.Root);
    }
}
