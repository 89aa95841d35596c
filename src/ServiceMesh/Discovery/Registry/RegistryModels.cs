using System.Collections.Immutable;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>How a check is run: HTTP GET/method, TCP connect, a TTL that clients keep alive, or not at all (a
/// maintenance check, or one registered through the catalog: its status is what was registered).</summary>
/// <param name="FollowRedirects">HTTP checks only: follow 3xx answers (off unless the check asks: FollowRedirects).</param>
internal sealed record CheckDefinition(
    string CheckId, string Name, string? Http, string Method, string? Tcp, TimeSpan? Ttl,
    TimeSpan Interval, TimeSpan Timeout, TimeSpan? DeregisterCriticalServiceAfter, string InitialStatus, string Notes,
    bool FollowRedirects = false, bool Maintenance = false)
{
    public string Type => Http is not null ? "http" : Tcp is not null ? "tcp" : Ttl is not null ? "ttl" : Maintenance ? "maintenance" : "";

    /// <summary>False for checks nobody runs (maintenance and catalog checks).</summary>
    public bool Runs => Http is not null || Tcp is not null || Ttl is not null;
}

/// <summary>A check registered on its own (agent/check/register, maintenance, catalog/register), not inside a service
/// registration. <see cref="ServiceId"/> is "" for a node-level check.</summary>
/// <param name="Registration">The normalised request, as the log persists it.</param>
internal sealed record AddedCheck(CheckDefinition Definition, string ServiceId, AgentCheckRegistration Registration, ulong CreateIndex, ulong ModifyIndex);

/// <summary>A check with its state, as reads return it.</summary>
internal sealed record CheckView(CheckDefinition Definition, CheckState State, ulong CreateIndex, ulong ModifyIndex);

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

/// <summary>A service instance with its checks' states and those of the node's own checks, as reads return it.</summary>
internal sealed record InstanceView(ServiceRecord Service, ImmutableArray<CheckView> Checks, ImmutableArray<CheckView> NodeChecks)
{
    /// <summary>The worst of the instance's and the node's check states (a node check, like maintenance, counts for every
    /// service on the node, as in Consul's health endpoints); an instance without checks is passing.</summary>
    public string AggregatedStatus =>
        Checks.Concat(NodeChecks).Any(c => c.State.Status == HealthStatuses.Critical) ? HealthStatuses.Critical
        : Checks.Concat(NodeChecks).Any(c => c.State.Status == HealthStatuses.Warning) ? HealthStatuses.Warning
        : HealthStatuses.Passing;
}
