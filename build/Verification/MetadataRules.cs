using System.Text.RegularExpressions;
using ServiceMesh.Build.Docker;

namespace ServiceMesh.Build.Verification;

/// <summary>Rules on the image configuration alone: platform, user, entrypoint, healthcheck, ports, environment, volumes, size.</summary>
internal static partial class MetadataRules
{
    public static IEnumerable<CheckResult> Check(ImageFacts image, ImageExpectations expected)
    {
        yield return Platform(image, expected);
        yield return User(image);
        yield return Entrypoint(image);
        yield return Healthcheck(image);
        yield return ExposedPorts(image);
        yield return EnvironmentDefaults(image);
        yield return NoSecrets(image);
        yield return Volumes(image);
        yield return Size(image, expected);
    }

    public static CheckResult Platform(ImageFacts image, ImageExpectations expected) =>
        CheckResult.When(image.Os == expected.Platform.Os && image.Architecture == expected.Platform.Architecture,
            "metadata: platform", $"{image.Os}/{image.Architecture} (expected {expected.Platform})");

    /// <summary>Numeric so that Kubernetes' runAsNonRoot and any engine can check it without a passwd lookup.</summary>
    public static CheckResult User(ImageFacts image)
    {
        var match = NumericUser().Match(image.User);
        var passed = match.Success && match.Groups["uid"].Value != "0";
        return CheckResult.When(passed, "metadata: non-root numeric user",
            image.User.Length == 0 ? "no USER: the container runs as root" : $"USER {image.User}" + (passed ? "" : " (expected uid:gid, not 0)"));
    }

    public static CheckResult Entrypoint(ImageFacts image)
    {
        var entrypoint = image.Entrypoint;
        var passed = entrypoint.Count > 0 && entrypoint[0] == ImageExpectations.Executable;
        var detail = entrypoint.Count == 0 ? "no ENTRYPOINT"
            : entrypoint[0] is "/bin/sh" or "/bin/bash" ? $"shell form ({string.Join(" ", entrypoint)}): the image has no shell"
            : $"[{string.Join(", ", entrypoint.Select(e => $"\"{e}\""))}]";
        return CheckResult.When(passed, "metadata: exec-form entrypoint", detail);
    }

    public static CheckResult Healthcheck(ImageFacts image)
    {
        const string check = "metadata: healthcheck";
        if (image.Healthcheck is not { } health || health.Test.Count == 0 || health.Test[0] == "NONE")
        {
            return CheckResult.Fail(check, "no HEALTHCHECK");
        }

        var expected = ImageExpectations.Healthcheck;
        var runsBinary = health.Test.SequenceEqual(expected.Test);
        var timing = $"interval {health.Interval.TotalSeconds}s, timeout {health.Timeout.TotalSeconds}s, start-period {health.StartPeriod.TotalSeconds}s, retries {health.Retries}";
        var timingMatches = health with { Test = expected.Test } == expected;
        return CheckResult.When(runsBinary && timingMatches, check,
            $"{string.Join(" ", health.Test)}; {timing}" + (runsBinary ? "" : $" (expected {string.Join(" ", expected.Test)})") + (timingMatches ? "" : " (expected 30s/10s/60s/3)"));
    }

    public static CheckResult ExposedPorts(ImageFacts image)
    {
        var missing = ImageExpectations.ExposedPorts.Except(image.ExposedPorts, StringComparer.Ordinal).ToList();
        return CheckResult.When(missing.Count == 0, "metadata: exposed ports",
            missing.Count == 0 ? string.Join(" ", image.ExposedPorts.Order(StringComparer.Ordinal)) : $"missing {string.Join(" ", missing)}");
    }

    public static CheckResult EnvironmentDefaults(ImageFacts image)
    {
        var environment = Parse(image.Environment);
        var wrong = ImageExpectations.EnvironmentDefaults
            .Where(d => environment.GetValueOrDefault(d.Key) != d.Value)
            .Select(d => environment.TryGetValue(d.Key, out var actual) ? $"{d.Key}={actual} (expected {d.Value})" : $"{d.Key} missing")
            .ToList();
        return CheckResult.When(wrong.Count == 0, "metadata: environment defaults",
            wrong.Count == 0 ? $"{ImageExpectations.EnvironmentDefaults.Count} defaults set" : string.Join("; ", wrong));
    }

    /// <summary>Secrets belong in .env.secrets at run time, never in an image layer anyone can read.</summary>
    public static CheckResult NoSecrets(ImageFacts image)
    {
        var suspicious = Parse(image.Environment).Keys.Where(k => SecretName().IsMatch(k)).Order(StringComparer.Ordinal).ToList();
        return CheckResult.When(suspicious.Count == 0, "metadata: no secret-looking environment",
            suspicious.Count == 0 ? $"{image.Environment.Count} variables, none named like a secret" : $"image sets {string.Join(", ", suspicious)}");
    }

    public static CheckResult Volumes(ImageFacts image)
    {
        var missing = ImageExpectations.WritableFolders.Except(image.Volumes, StringComparer.Ordinal).ToList();
        return CheckResult.When(missing.Count == 0, "metadata: volumes",
            missing.Count == 0 ? string.Join(" ", ImageExpectations.WritableFolders) : $"no VOLUME for {string.Join(", ", missing)}");
    }

    public static CheckResult Size(ImageFacts image, ImageExpectations expected) =>
        CheckResult.When(image.Size <= expected.SizeBudgetBytes, "size: within budget",
            $"{image.Size / 1e6:0.0} MB of {expected.SizeBudgetBytes / 1e6:0.#} MB");

    private static Dictionary<string, string> Parse(IEnumerable<string> environment) =>
        environment.Select(e => e.Split('=', 2)).GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Length > 1 ? g.Last()[1] : "", StringComparer.Ordinal);

    [GeneratedRegex("^(?<uid>[0-9]+)(:[0-9]+)?$")]
    private static partial Regex NumericUser();

    [GeneratedRegex("(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
