using ServiceMesh.Build.Verification;

namespace ServiceMesh.Build.Tests.Verification;

public sealed class LabelRuleTests
{
    [Theory]
    [InlineData("created", "yesterday")]
    [InlineData("created", "2026-11-28 10:00")]
    [InlineData("revision", "unknown")]
    [InlineData("revision", "0123456789ABCDEF0123456789ABCDEF01234567")]
    [InlineData("version", "v1.2")]
    [InlineData("version", "latest")]
    [InlineData("source", "github.com/pickme/lucid-service-mesh")]
    [InlineData("licenses", " ")]
    public async Task VerifyAsync_MalformedLabel_FailsThatLabelNamingTheValue(string label, string value)
    {
        var facts = CompliantImage.Facts();
        var labels = new Dictionary<string, string>(facts.Labels) { ["org.opencontainers.image." + label] = value };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(facts with { Labels = labels }));

        results.Single(r => r.Check == "label: org.opencontainers.image." + label).Detail.ShouldContain($"'{value}' is not");
        // A label that no longer names the markers' revision or date also fails the check that the markers are this build's.
        var alsoFails = label is "revision" || (label is "created" && value == "yesterday") ? new[] { MarkerRules.StampCheck } : [];
        results.Where(r => !r.Passed).Select(r => r.Check).ShouldBe(["label: org.opencontainers.image." + label, .. alsoFails]);
    }

    [Fact]
    public async Task VerifyAsync_MissingBaseNameLabel_FailsAsMissing()
    {
        var facts = CompliantImage.Facts();
        var labels = facts.Labels.Where(l => l.Key != "org.opencontainers.image.base.name").ToDictionary();

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(facts with { Labels = labels }));

        results.ShouldFailOnly("label: org.opencontainers.image.base.name").Detail.ShouldBe("missing");
    }

    [Theory]
    [InlineData("2026-11-28T10:00:00+01:00")]
    [InlineData("2026-11-28T10:00:00.123Z")]
    public async Task VerifyAsync_OtherRfc3339Forms_AreAccepted(string created)
    {
        var facts = CompliantImage.Facts();
        var labels = new Dictionary<string, string>(facts.Labels) { ["org.opencontainers.image.created"] = created };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(facts with { Labels = labels }));

        results.Single("label: org.opencontainers.image.created").Passed.ShouldBeTrue();
    }
}
