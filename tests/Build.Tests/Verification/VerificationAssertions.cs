using ServiceMesh.Build.Verification;

namespace ServiceMesh.Build.Tests.Verification;

internal static class VerificationAssertions
{
    public static CheckResult Single(this IReadOnlyList<CheckResult> results, string check) =>
        results.SingleOrDefault(r => r.Check == check) ?? throw new ShouldAssertException($"no '{check}' check in: {string.Join(", ", results.Select(r => r.Check))}");

    /// <summary>The named check failed, and it is the only one that did (each test breaks exactly one thing).</summary>
    public static CheckResult ShouldFailOnly(this IReadOnlyList<CheckResult> results, string check)
    {
        var result = results.Single(check);
        result.Passed.ShouldBeFalse();
        results.Where(r => !r.Passed).Select(r => r.Check).ShouldBe([check]);
        return result;
    }
}
