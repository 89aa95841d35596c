namespace ServiceMesh.Build.Tests.Verification;

public sealed class ImageVerifierTests
{
    [Fact]
    public async Task VerifyAsync_CompliantImage_EveryCheckPassesAndNoContainerIsLeft()
    {
        var engine = CompliantImage.Engine();

        var results = await CompliantImage.VerifyAsync(engine);

        results.Where(r => !r.Passed).ShouldBeEmpty();
        results.Count.ShouldBeGreaterThan(25);
        engine.Leftovers.ShouldBeEmpty();
    }

    [Fact]
    public async Task VerifyAsync_ImageNotBuilt_FailsWithTheHintToBuildIt()
    {
        var engine = CompliantImage.Engine();
        engine.Image = null;

        var results = await CompliantImage.VerifyAsync(engine);

        results.ShouldFailOnly("image: present").Detail.ShouldContain("run BuildImage");
        engine.Created.ShouldBeEmpty();
    }

    [Fact]
    public async Task VerifyAsync_FilesAreRead_FromAContainerThatIsNeverStarted()
    {
        var engine = CompliantImage.Engine();

        await CompliantImage.VerifyAsync(engine);

        // The first container is the file reader: no network, no environment; started ones come later with the run spec.
        engine.Created[0].NetworkMode.ShouldBe("none");
        engine.Created[0].Environment.ShouldBeEmpty();
    }
}
