namespace ServiceMesh.Discovery.Registry;

/// <summary>
/// A Consul session: holds KV locks until it is destroyed, its TTL runs out (twice the TTL, as Consul waits) or one of
/// its checks turns critical or goes away; then its keys are released or deleted (<see cref="Behavior"/>).
/// </summary>
/// <param name="LockDelayNanoseconds">How long a key it held cannot be acquired again after it ends (Consul's unit).</param>
/// <param name="Ttl">Go duration text, empty for none.</param>
/// <param name="Checks">Check IDs on this node (Consul's Checks and NodeChecks) that must not turn critical.</param>
internal sealed record SessionRecord(
    string Id, string Name, string Node, long LockDelayNanoseconds, string Behavior, string Ttl,
    IReadOnlyList<string> Checks, IReadOnlyList<string> ServiceChecks, ulong CreateIndex = 0, ulong ModifyIndex = 0)
{
    public const string Release = "release";
    public const string Delete = "delete";

    /// <summary>Consul's limit on a lock delay (structs.MaxLockDelay).</summary>
    public static readonly TimeSpan MaxLockDelay = TimeSpan.FromSeconds(60);

    public IEnumerable<string> AllChecks => Checks.Concat(ServiceChecks);

    public TimeSpan LockDelay => TimeSpan.FromTicks(Math.Min(LockDelayNanoseconds / 100, MaxLockDelay.Ticks));
}
