namespace ServiceMesh.Envoy.Policies;

/// <summary>Health check, outlier detection, timeouts and circuit breakers for one upstream cluster, all set; the
/// hardening applies to the service's own sidecar (its policy as a service) and to its callers' side of each call.</summary>
internal sealed record UpstreamPolicy(
    TimeSpan ConnectTimeout,
    TimeSpan RequestTimeout,
    HealthCheckPolicy HealthCheck,
    OutlierPolicy Outlier,
    CircuitBreakerPolicy CircuitBreakers,
    HardeningPolicy Hardening)
{
    /// <summary>Route retries towards this upstream (HTTP, HTTP/2 and gRPC upstreams only).</summary>
    public RetryPolicy Retries { get; init; } = RetryPolicy.Default;

    public static UpstreamPolicy Default { get; } = new(
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30),
        new HealthCheckPolicy(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), 3, 2, "/health"),
        new OutlierPolicy(5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 50),
        new CircuitBreakerPolicy(1024, 1024, 1024, 3),
        HardeningPolicy.Default);
}

/// <param name="HttpPath">Checked on HTTP upstreams; TCP upstreams get a connect check.</param>
internal sealed record HealthCheckPolicy(TimeSpan Interval, TimeSpan Timeout, int UnhealthyThreshold, int HealthyThreshold, string HttpPath);

internal sealed record OutlierPolicy(int Consecutive5xx, TimeSpan Interval, TimeSpan BaseEjectionTime, int MaxEjectionPercent);

internal sealed record CircuitBreakerPolicy(int MaxConnections, int MaxPendingRequests, int MaxRequests, int MaxRetries);

internal enum DefaultAccess { Allow, Deny }

/// <summary>policies.yaml, validated: who may call whom, and per-upstream settings over the defaults.</summary>
internal sealed record MeshPolicies(
    DefaultAccess Default,
    IReadOnlyDictionary<string, IReadOnlySet<string>> CallersByTarget,
    UpstreamPolicy UpstreamDefaults,
    IReadOnlyDictionary<string, UpstreamPolicy> Upstreams)
{
    /// <summary>No policies.yaml: every service of the trust domain may call every service, built-in upstream settings.</summary>
    public static MeshPolicies AllowAll { get; } = new(DefaultAccess.Allow, new Dictionary<string, IReadOnlySet<string>>(), UpstreamPolicy.Default, new Dictionary<string, UpstreamPolicy>());

    /// <summary>JSON access logs to stdout on every sidecar listener (<c>access_log</c>, default on).</summary>
    public bool AccessLog { get; init; } = true;

    public UpstreamPolicy For(string upstream) => Upstreams.TryGetValue(upstream, out var policy) ? policy : UpstreamDefaults;

    /// <summary>The callers named for <paramref name="target"/>, or null when no rule names it (then <see cref="Default"/> applies).</summary>
    public IReadOnlySet<string>? CallersOf(string target) => CallersByTarget.TryGetValue(target, out var callers) ? callers : null;

    /// <summary>Whether <paramref name="target"/>'s public listener admits <paramref name="caller"/> (the RBAC the planner writes).</summary>
    public bool Allows(string caller, string target) => CallersOf(target) is { } named ? named.Contains(caller) : Default == DefaultAccess.Allow;
}
