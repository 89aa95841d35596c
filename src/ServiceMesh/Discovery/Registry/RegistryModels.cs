using System.Collections.Immutable;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>How a check is run: HTTP GET/method, TCP connect, or a TTL that clients keep alive.</summary>
/// <param name="FollowRedirects">HTTP checks only: follow 3xx answers (off unless the check asks: FollowRedirects).</param>
internal sealed record CheckDefinition(
    string CheckId, string Name, string? Http, string Method, string? Tcp, TimeSpan? Ttl,
    TimeSpan Interval, TimeSpan Timeout, TimeSpan? DeregisterCriticalServiceAfter, string InitialStatus, string Notes,
    bool FollowRedirects = false)
{
    public string Type => Http is not null ? "http" : Tcp is not null ? "tcp" : "ttl";
}

/// <summary>A check's last result. <see cref="CriticalSince"/> drives DeregisterCriticalServiceAfter.</summary>
internal sealed record CheckState(string Status, string Output, DateTimeOffset? CriticalSince);

/// <summary>
/// A registered service instance as the registry keeps it. <see cref="Registration"/> is the normalised request
/// (ID filled in, check IDs assigned): it is what the log persists and replays.
/// </summary>
internal sealed record ServiceRecord(
    AgentServiceRegistration Registration, ImmutableArray<CheckDefinition> Checks, ulong CreateIndex, ulong ModifyIndex)
{
    public string Id => Registration.Id!;
    public string Name => Registration.Name;
    public IReadOnlyList<string> Tags => Registration.Tags ?? [];
}

/// <summary>A KV entry; <see cref="Session"/> holds its lock and <see cref="LockIndex"/> counts how often it was acquired.</summary>
internal sealed record KvRecord(string Key, byte[] Value, ulong Flags, ulong CreateIndex, ulong ModifyIndex, ulong LockIndex = 0, string? Session = null)
{
    /// <summary>Same content (Consul skips writing an unchanged entry: no new ModifyIndex, no wake-up).</summary>
    public bool SameContent(KvRecord other) =>
        Flags == other.Flags && LockIndex == other.LockIndex && Session == other.Session && Value.AsSpan().SequenceEqual(other.Value);
}

/// <summary>A service instance with its checks' states, as reads return it.</summary>
internal sealed record InstanceView(ServiceRecord Service, ImmutableArray<(CheckDefinition Definition, CheckState State)> Checks)
{
    /// <summary>The worst of the instance's check states; an instance without checks is passing (as in Consul).</summary>
    public string AggregatedStatus =>
        Checks.Any(c => c.State.Status == HealthStatuses.Critical) ? HealthStatuses.Critical
        : Checks.Any(c => c.State.Status == HealthStatuses.Warning) ? HealthStatuses.Warning
        : HealthStatuses.Passing;
}
