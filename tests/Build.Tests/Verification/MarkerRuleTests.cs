using ServiceMesh.Build.Verification;

namespace ServiceMesh.Build.Tests.Verification;

public sealed class MarkerRuleTests
{
    [Fact]
    public async Task VerifyAsync_MarkerMissing_FailsThatMarker()
    {
        var files = CompliantImage.Files();
        files.Remove("/app/markers/configuration.json");

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.ShouldFailOnly("marker: configuration").Detail.ShouldBe("/app/markers/configuration.json missing");
    }

    [Fact]
    public async Task VerifyAsync_MarkerEmpty_FailsAsEmpty()
    {
        // A COPY that silently produced nothing.
        var files = CompliantImage.Files();
        files["/app/markers/application.json"] = CompliantImage.Text("");

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.ShouldFailOnly("marker: application").Detail.ShouldBe("/app/markers/application.json is empty");
    }

    [Fact]
    public async Task VerifyAsync_MarkerNotJson_FailsAsInvalid()
    {
        var files = CompliantImage.Files();
        files["/app/markers/base.json"] = CompliantImage.Text("built ok");

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.ShouldFailOnly("marker: base").Detail.ShouldStartWith("invalid: not valid JSON");
    }

    [Fact]
    public async Task VerifyAsync_BinaryReplacedAfterBuild_FailsApplicationMarkerDigest()
    {
        var files = CompliantImage.Files();
        files["/app/service-mesh"] = new FakeFile([0x7f, (byte)'E', (byte)'L', (byte)'F', 9, 9, 9], (UnixFileMode)0b111_101_101);

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.ShouldFailOnly("marker: application").Detail.ShouldContain("digest mismatch");
    }

    [Fact]
    public async Task VerifyAsync_MarkerRecordsAnotherDigest_FailsDigestMismatch()
    {
        var files = CompliantImage.Files();
        var text = System.Text.Encoding.UTF8.GetString(files["/app/markers/configuration.json"].Content);
        var recorded = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("sha256").GetString()!;
        files["/app/markers/configuration.json"] = CompliantImage.Text(text.Replace(recorded, new string('a', 64), StringComparison.Ordinal));

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.ShouldFailOnly("marker: configuration").Detail.ShouldContain("recorded aaaaaaaaaaaa");
    }

    [Fact]
    public async Task VerifyAsync_MarkerVouchesForAFileNotInTheImage_FailsNamingTheFile()
    {
        var files = CompliantImage.Files();
        files.Remove("/var/lib/dpkg/status.d/libc6");

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.ShouldFailOnly("marker: base").Detail.ShouldContain("/var/lib/dpkg/status.d/libc6");
    }

    [Fact]
    public async Task VerifyAsync_MarkersOfAnEarlierBuild_FailsThisBuildCheckNamingTheVersion()
    {
        // Issue 11: an image whose files all came from an earlier build is consistent with itself; only the stamp tells.
        var earlier = CompliantImage.Expectations with { Version = "1.2.4" };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(), CompliantImage.HealthyHttp(), earlier);

        results.Where(r => !r.Passed).Select(r => r.Check).ShouldBe([MarkerRules.StampCheck, "run: version"]);
        results.Single(r => r.Check == MarkerRules.StampCheck).Detail.ShouldContain("application: version 1.2.3, expected 1.2.4");
    }

    [Fact]
    public async Task VerifyAsync_MarkerRevisionDiffersFromTheLabel_FailsThisBuildCheck()
    {
        var facts = CompliantImage.Facts();
        var labels = new Dictionary<string, string>(facts.Labels) { ["org.opencontainers.image.revision"] = new string('f', 40) };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(facts with { Labels = labels }));

        results.ShouldFailOnly(MarkerRules.StampCheck).Detail.ShouldContain("label ffffffffffff");
    }
}
