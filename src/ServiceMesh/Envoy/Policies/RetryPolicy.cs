using ServiceMesh.Configuration;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Envoy.Policies;

/// <summary>
/// policies.yaml <c>retries</c>: how often the calling sidecar retries a request to an HTTP upstream whose connection
/// failed, was refused or was reset. <see cref="PerTryTimeout"/> null: each try may use what remains of the request timeout.
/// </summary>
internal sealed record RetryPolicy(int NumRetries, TimeSpan? PerTryTimeout)
{
    public static RetryPolicy Default { get; } = new(2, null);
}

/// <summary>The <c>retries</c> rows of policies.yaml and the rule that a try fits into the request.</summary>
internal static class RetryPolicyFile
{
    public const string Key = "retries";

    public static readonly YamlField<RetryPolicy>[] Fields =
    [
        YamlField.Number<RetryPolicy>("num_retries", 0, 10, (r, v) => r with { NumRetries = v }),
        YamlField.Duration<RetryPolicy>("per_try_timeout", (r, v) => r with { PerTryTimeout = v }),
    ];

    public static YamlField<UpstreamPolicy> Section { get; } =
        YamlField.Section<UpstreamPolicy, RetryPolicy>(Key, p => p.Retries, (p, v) => p with { Retries = v }, Fields);

    /// <summary>
    /// A per-try timeout longer than the request timeout could never be reached. Reported where the section that was
    /// read sets one of the two, so an upstream that only inherits a bad default is not reported once more.
    /// </summary>
    public static void Check(YamlNodeReader yaml, YamlMappingNode section, string at, UpstreamPolicy policy)
    {
        if (policy.Retries.PerTryTimeout is not { } perTry || perTry <= policy.RequestTimeout)
        {
            return;
        }

        var retries = YamlNodeReader.Child(section, Key) as YamlMappingNode;
        var (node, key) = retries is not null && YamlNodeReader.Child(retries, "per_try_timeout") is { } set
            ? (set, YamlNodeReader.Join(at, $"{Key}.per_try_timeout"))
            : YamlNodeReader.Child(section, "request_timeout") is { } request ? (request, YamlNodeReader.Join(at, "request_timeout")) : (null, "");
        if (node is not null)
        {
            yaml.Problem(node, key, $"per_try_timeout {GoDuration.Format(perTry)} exceeds request_timeout {GoDuration.Format(policy.RequestTimeout)}: no try may outlast the whole request");
        }
    }
}
