using ServiceMesh.Build.Tests.Engine;

namespace ServiceMesh.Build.Tests;

public sealed class BuildComposeTests
{
    [Fact]
    public void ChildBuildArguments_ComposeUpWithImageParameters_ForwardsThemAndSkipsEnsureDocker()
    {
        using var harness = new BuildHarness();
        var build = new Build();

        harness.Run(build, "ComposeUp --plan --build-date 2026-01-02T03:04:05Z --image-builder Classic --runtimes linux-arm64 linux-x64").ShouldBe(0);
        var arguments = build.ChildBuildArguments(["BuildImage"]);

        string.Join(' ', arguments).ShouldBe(
            $"BuildImage --root {harness.Root} --build-date 2026-01-02T03:04:05Z --image-builder Classic --runtimes linux-arm64 linux-x64 --skip EnsureDocker");
    }
}
