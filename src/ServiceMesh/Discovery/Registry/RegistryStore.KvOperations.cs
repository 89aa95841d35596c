using System.Globalization;
using System.Text;

namespace ServiceMesh.Discovery.Registry;

/// <summary>Each KV verb with Consul's rules and error texts (agent/consul/state/kvs.go and txn.go).</summary>
internal sealed partial class RegistryStore
{
    // Under the lock. Null when it went through; the reason otherwise. Writes record each key's first previous state.
    private string? Write(KvOperation op, ulong index, Dictionary<string, KvRecord?> before, List<KvResult> results)
    {
        var key = op.Key;
        if (key.Length == 0 && op.Verb != KvVerbs.DeleteTree)
        {
            return "Must provide key"; // Consul's kvsPreApply: only a tree delete may name the root
        }

        _kv.TryGetValue(key, out var current);
        switch (op.Verb)
        {
            case KvVerbs.Set:
                Put(op, current, index, current?.Session, current?.LockIndex ?? 0, before, results);
                return null;
            case KvVerbs.Cas when op.Index == 0 ? current is not null : current?.ModifyIndex != op.Index:
                return $"failed to set key {Quote(key)}, index is stale";
            case KvVerbs.Cas:
                Put(op, current, index, current?.Session, current?.LockIndex ?? 0, before, results);
                return null;
            case KvVerbs.Lock or KvVerbs.Unlock when string.IsNullOrEmpty(op.Session):
                return "missing session";
            case KvVerbs.Lock when !_sessions.ContainsKey(op.Session!):
                return $"invalid session {Quote(op.Session!)}";
            case KvVerbs.Lock when current?.Session is { } holder && holder != op.Session:
                return $"failed to lock key {Quote(key)}, lock is already held";
            case KvVerbs.Lock:
                var lockIndex = current?.Session == op.Session ? current!.LockIndex : (current?.LockIndex ?? 0) + 1;
                Put(op, current, index, op.Session, lockIndex, before, results);
                return null;
            case KvVerbs.Unlock when current is null || current.Session != op.Session:
                return $"failed to unlock key {Quote(key)}, lock isn't held, or is held by another session";
            case KvVerbs.Unlock:
                Put(op, current, index, null, current.LockIndex, before, results);
                return null;
            case KvVerbs.DeleteCas when current is not null && current.ModifyIndex != op.Index:
                return $"failed to delete key {Quote(key)}, index is stale";
            case KvVerbs.Delete or KvVerbs.DeleteCas:
                Remove(key, current, before);
                return null;
            case KvVerbs.DeleteTree:
                foreach (var doomed in Under(key).ToList())
                {
                    Remove(doomed.Key, doomed, before);
                }

                return null;
            default:
                return $"unknown KV verb {Quote(op.Verb)}";
        }
    }

    // Under the lock: the read verbs, which also run inside a writing transaction (they see its earlier writes).
    private string? Read(KvOperation op, List<KvResult> results)
    {
        var key = op.Key;
        _kv.TryGetValue(key, out var current);
        switch (op.Verb)
        {
            case KvVerbs.Get when current is null:
                return $"key {Quote(key)} doesn't exist";
            case KvVerbs.Get:
                results.Add(new KvResult(current, ValueShown: true));
                return null;
            case KvVerbs.GetOrEmpty:
                results.Add(new KvResult(current ?? new KvRecord(key, [], 0, 0, 0), ValueShown: current is not null));
                return null;
            case KvVerbs.GetTree:
                results.AddRange(Under(key).Select(e => new KvResult(e, ValueShown: true)));
                return null;
            case KvVerbs.CheckIndex when current is null:
                return $"failed to check index, key {Quote(key)} doesn't exist";
            case KvVerbs.CheckIndex when current.ModifyIndex != op.Index:
                return string.Create(CultureInfo.InvariantCulture,
                    $"failed index check for key {Quote(key)}, current modify index {current.ModifyIndex} != {op.Index}");
            case KvVerbs.CheckSession when current is null:
                return $"failed to check session, key {Quote(key)} doesn't exist";
            case KvVerbs.CheckSession when (current.Session ?? "") != (op.Session ?? ""):
                return $"failed session check for key {Quote(key)}, current session {Quote(current.Session ?? "")} != {Quote(op.Session ?? "")}";
            case KvVerbs.CheckIndex or KvVerbs.CheckSession:
                results.Add(new KvResult(current, ValueShown: false));
                return null;
            case KvVerbs.CheckNotExists when current is not null:
                return $"key {Quote(key)} exists";
            case KvVerbs.CheckNotExists:
                return null;
            default:
                return $"unknown KV verb {Quote(op.Verb)}";
        }
    }

    // An unchanged entry is not rewritten: no new ModifyIndex and nobody woken, as in Consul (kvsSetTxn).
    private void Put(KvOperation op, KvRecord? current, ulong index, string? session, ulong lockIndex, Dictionary<string, KvRecord?> before, List<KvResult> results)
    {
        var next = new KvRecord(op.Key, op.Value ?? [], op.Flags, current?.CreateIndex ?? index, index, lockIndex, session);
        if (current is not null && current.SameContent(next))
        {
            results.Add(new KvResult(current, ValueShown: false));
            return;
        }

        before.TryAdd(op.Key, current);
        _kv[op.Key] = next;
        results.Add(new KvResult(next, ValueShown: false));
    }

    private void Remove(string key, KvRecord? current, Dictionary<string, KvRecord?> before)
    {
        if (current is not null)
        {
            before.TryAdd(key, current);
            _kv.Remove(key);
        }
    }

    // Go's %q for the texts Consul writes: the string in double quotes with \ and " escaped.
    private static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c is '"' or '\\' ? quoted.Append('\\').Append(c) : c < ' ' ? quoted.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}") : quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }
}
