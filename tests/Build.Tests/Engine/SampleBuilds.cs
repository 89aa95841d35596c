using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Tests.Engine;

/// <summary>A build whose targets record their runs: A ← B ← C, A ← E, D after C, F fails.</summary>
internal sealed class SampleBuild : BuildBase
{
    public List<string> Ran { get; } = [];

    public Func<CancellationToken, Task>? DuringC { get; set; }

    [Parameter("A text parameter")]
    public string Greeting { get; set; } = "hello";

    [Parameter("An integer parameter")]
    readonly int Retries = 1;

    [Parameter("A list parameter")]
    readonly string[] Platforms = ["linux/arm64"];

    [Parameter("A flag")]
    readonly bool Verbose = false;

    [Parameter("A secret", Secret = true)]
    readonly string ApiToken = "";

    public int RetriesValue => Retries;

    public IReadOnlyList<string> PlatformsValue => Platforms;

    public bool VerboseValue => Verbose;

    public string ApiTokenValue => ApiToken;

    Target A => _ => _.Description("first").Executes(() => Ran.Add("A"));

    Target B => _ => _.DependsOn(A).Executes(() => Ran.Add("B"));

    Target C => _ => _.DependsOn(B).Executes(async ct =>
    {
        Ran.Add("C");
        if (DuringC is not null)
        {
            await DuringC(ct);
        }

        Note("c-note");
    });

    Target D => _ => _.After(C).Executes(() => Ran.Add("D"));

    Target E => _ => _.DependsOn(A).Executes(() => Ran.Add("E"));

    Target F => _ => _.DependsOn(A).Executes(() => throw new BuildFailureException("F broke on purpose"));

    Target G => _ => _.DependsOn(F).Executes(() => Ran.Add("G"));

    Target H => _ => _.OnlyWhen(() => false, "no engine here").DependsOn(A).Executes(() => Ran.Add("H"));
}

/// <summary>X depends on Y, Y depends on X.</summary>
internal sealed class CyclicBuild : BuildBase
{
    Target X => _ => _.DependsOn(Y).Executes(() => { });

    Target Y => _ => _.DependsOn(X).Executes(() => { });
}

/// <summary>A cycle made of an ordering edge: P after Q, Q depends on P.</summary>
internal sealed class AfterCycleBuild : BuildBase
{
    Target P => _ => _.After(Q).Executes(() => { });

    Target Q => _ => _.DependsOn(P).Executes(() => { });
}
