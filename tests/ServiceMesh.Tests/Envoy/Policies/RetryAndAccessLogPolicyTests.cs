using ServiceMesh.Envoy.Policies;

namespace ServiceMesh.Tests.Envoy.Policies;

/// <summary>policies.yaml <c>retries</c> (defaults, per-upstream overrides, the per-try rule) and <c>access_log</c>.</summary>
public sealed class RetryAndAccessLogPolicyTests
{
    [Fact]
    public void Parse_NoRetriesOrAccessLogKeys_TwoRetriesWithoutPerTryTimeoutAndAccessLogOn()
    {
        var policies = PolicyFile.Parse("policies.yaml", "default: allow\n").Policies!;

        policies.UpstreamDefaults.Retries.ShouldBe(new RetryPolicy(2, null));
        policies.AccessLog.ShouldBeTrue();
    }

    [Fact]
    public void Parse_RetriesInDefaultsAndPerUpstream_UpstreamOverridesOnlyWhatItNames()
    {
        var policies = PolicyFile.Parse("policies.yaml", """
            upstream_defaults:
              retries:
                num_retries: 3
                per_try_timeout: 5s
            upstreams:
              auth-service:
                retries:
                  num_retries: 0
            access_log: false
            """).Policies!;

        policies.For("data-chain").Retries.ShouldBe(new RetryPolicy(3, TimeSpan.FromSeconds(5)));
        policies.For("auth-service").Retries.ShouldBe(new RetryPolicy(0, TimeSpan.FromSeconds(5)));
        policies.AccessLog.ShouldBeFalse();
    }

    [Fact]
    public void Parse_PerTryTimeoutLongerThanRequestTimeout_ProblemNamesFileLineAndKey()
    {
        var result = PolicyFile.Parse("/app/config/policies.yaml", """
            upstream_defaults:
              request_timeout: 10s
              retries:
                per_try_timeout: 15s
            """);

        result.IsValid.ShouldBeFalse();
        result.Problems.Single().ShouldBe("/app/config/policies.yaml line 4, key 'upstream_defaults.retries.per_try_timeout': per_try_timeout 15s exceeds request_timeout 10s: no try may outlast the whole request");
    }

    [Fact]
    public void Parse_UpstreamShortensRequestTimeoutBelowInheritedPerTry_ProblemAtThatUpstreamsRequestTimeout()
    {
        var result = PolicyFile.Parse("policies.yaml", """
            upstream_defaults:
              retries:
                per_try_timeout: 20s
            upstreams:
              auth-service:
                request_timeout: 5s
              data-chain:
                connect_timeout: 1s
            """);

        // data-chain inherits 20s of 30s and is fine; the default itself is fine; only auth-service is reported, once.
        result.Problems.Single().ShouldBe("policies.yaml line 6, key 'upstreams.auth-service.request_timeout': per_try_timeout 20s exceeds request_timeout 5s: no try may outlast the whole request");
    }

    [Theory]
    [InlineData("upstream_defaults:\n  retries:\n    num_retries: 11\n", "line 3, key 'upstream_defaults.retries.num_retries': expected a whole number from 0 to 10, found '11'")]
    [InlineData("upstream_defaults:\n  retries:\n    backoff: 1s\n", "line 3, key 'upstream_defaults.retries.backoff': unknown key (known: num_retries, per_try_timeout)")]
    [InlineData("access_log: maybe\n", "line 1, key 'access_log': expected true or false, found 'maybe'")]
    public void Parse_InvalidRetriesOrAccessLog_ProblemNamesLineAndKey(string text, string problem)
    {
        var result = PolicyFile.Parse("policies.yaml", text);

        result.IsValid.ShouldBeFalse();
        result.Problems.Single().ShouldBe("policies.yaml " + problem);
    }
}
