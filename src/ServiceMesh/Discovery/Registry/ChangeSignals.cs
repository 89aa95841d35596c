namespace ServiceMesh.Discovery.Registry;

/// <summary>
/// Wakes blocking queries per topic ("catalog", "health", "svc:&lt;name&gt;", "kv", "sessions"), so a change to one service wakes only its
/// watchers. A waiter takes its task first and then checks the index, so a signal can never fall between the two.
/// </summary>
internal sealed class ChangeSignals
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    public Task Next(string topic)
    {
        lock (_gate)
        {
            if (!_waiting.TryGetValue(topic, out var signal))
            {
                _waiting[topic] = signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return signal.Task;
        }
    }

    public void Signal(string topic)
    {
        TaskCompletionSource? signal;
        lock (_gate)
        {
            _waiting.Remove(topic, out signal);
        }

        signal?.TrySetResult();
    }

    public static string Service(string name) => "svc:" + name;
    public const string Catalog = "catalog";
    public const string Kv = "kv";
    public const string Health = "health";
    public const string Sessions = "sessions";
}
