using System.Globalization;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// The agent's most recent user events, oldest first, in a ring of <see cref="Capacity"/> as Consul's agent keeps them.
/// Memory only, as in Consul: events travel by gossip and no server stores them, so a restart forgets them there too.
/// </summary>
internal sealed class UserEventRing(TimeProvider time)
{
    /// <summary>Consul's agent eventBuf size.</summary>
    public const int Capacity = 256;

    private readonly Lock _gate = new();
    private readonly UserEvent?[] _events = new UserEvent?[Capacity];
    private int _next;
    private ulong _clock = 2; // a fresh Consul agent's first user event has LTime 2 (agent/event_endpoint_test.go)
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Takes an event in with the next lamport time; the oldest drops out of a full ring.</summary>
    public UserEvent Add(UserEvent userEvent)
    {
        TaskCompletionSource changed;
        UserEvent stored;
        lock (_gate)
        {
            stored = userEvent with { LTime = _clock++ };
            _events[_next] = stored;
            _next = (_next + 1) % Capacity;
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
        return stored;
    }

    /// <summary>The events oldest first, only those named <paramref name="name"/> when given.</summary>
    public IReadOnlyList<UserEvent> List(string? name)
    {
        lock (_gate)
        {
            return [.. Enumerable.Range(0, Capacity).Select(i => _events[(_next + i) % Capacity]).OfType<UserEvent>().Where(e => name is null || e.Name == name)];
        }
    }

    /// <summary>Consul's X-Consul-Index for a list: from the last event's ID, or 1 when empty (no hot loop for watchers).</summary>
    public static ulong Index(IReadOnlyList<UserEvent> events) => events.Count == 0 ? 1 : IndexOf(events[^1].Id);

    /// <summary>Consul's uuidToUint64: the UUID's first 64 bits (its first three groups) XOR its last 64 bits.</summary>
    public static ulong IndexOf(string id) =>
        Hex(string.Concat(id.AsSpan(0, 8), id.AsSpan(9, 4), id.AsSpan(14, 4))) ^ Hex(string.Concat(id.AsSpan(19, 4), id.AsSpan(24, 12)));

    /// <summary>
    /// A blocking list: returns once the list's index differs from <paramref name="index"/> (event IDs are random, so
    /// Consul compares for equality, not order) or when <paramref name="wait"/> has passed.
    /// </summary>
    public async Task WaitAsync(string? name, ulong index, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(wait, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            while (true)
            {
                Task next;
                lock (_gate)
                {
                    next = _changed.Task; // first the signal, then the list: no lost wake-up
                }

                if (Index(List(name)) != index)
                {
                    return;
                }

                await next.WaitAsync(either.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // waited the full time without a new event: the caller answers with the unchanged list
        }
    }

    private static ulong Hex(string digits) => ulong.Parse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
