using System.Globalization;
using System.Text.RegularExpressions;
using ServiceMesh.Build.Docker;

namespace ServiceMesh.Build.Verification;

/// <summary>OCI annotations: present and well-formed (RFC 3339 date, hex revision, SemVer version, URL source).</summary>
internal static partial class LabelRules
{
    public const string Prefix = "org.opencontainers.image.";

    public static IEnumerable<CheckResult> Check(ImageFacts image)
    {
        yield return Label(image, "created", IsRfc3339, "an RFC 3339 time such as 2026-11-28T10:00:00Z");
        yield return Label(image, "revision", v => HexRevision().IsMatch(v), "a 7-40 character lowercase hex git sha");
        yield return Label(image, "version", v => SemVer().IsMatch(v), "a SemVer version such as 1.2.3");
        yield return Label(image, "source", v => Uri.TryCreate(v, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http", "an http(s) URL");
        foreach (var name in new[] { "title", "description", "licenses", "base.name" })
        {
            yield return Label(image, name, v => !string.IsNullOrWhiteSpace(v), "non-empty");
        }
    }

    private static CheckResult Label(ImageFacts image, string name, Func<string, bool> isValid, string expected)
    {
        var check = $"label: {Prefix}{name}";
        return !image.Labels.TryGetValue(Prefix + name, out var value) ? CheckResult.Fail(check, "missing")
            : isValid(value) ? CheckResult.Pass(check, value)
            : CheckResult.Fail(check, $"'{value}' is not {expected}");
    }

    private static bool IsRfc3339(string value) =>
        DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"],
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);

    [GeneratedRegex("^[0-9a-f]{7,40}$")]
    private static partial Regex HexRevision();

    // semver.org's grammar, without the optional 'v'.
    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")]
    private static partial Regex SemVer();
}
