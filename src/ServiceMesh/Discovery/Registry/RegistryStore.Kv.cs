namespace ServiceMesh.Discovery.Registry;

/// <summary>The KV store: writes through the log, every outcome (cas, locks) decided when the record is applied, in log order.</summary>
internal sealed partial class RegistryStore
{
    private readonly SortedDictionary<string, KvRecord> _kv = new(StringComparer.Ordinal);
    // Deleted keys with the index of their deletion (Consul's graveyard), so a blocking query on a key or prefix wakes on
    // a delete and answers an index that moved; rebuilt at replay from the log's deletes.
    private readonly SortedDictionary<string, ulong> _tombstones = new(StringComparer.Ordinal);
    private ulong _kvIndex;

    /// <summary>set, or cas when <paramref name="cas"/> is given: false when it did not match (nothing written).</summary>
    public async Task<bool> PutKvAsync(string key, byte[] value, ulong flags, ulong? cas = null, CancellationToken cancellationToken = default) =>
        (await WriteKvAsync([new KvOperation(cas is null ? KvVerbs.Set : KvVerbs.Cas, key, value, flags, cas ?? 0)], cancellationToken).ConfigureAwait(false)).Succeeded;

    /// <summary>Deletes the key, or every key under it as a prefix; false when <paramref name="cas"/> did not match.</summary>
    public async Task<bool> DeleteKvAsync(string key, ulong? cas = null, bool recurse = false, CancellationToken cancellationToken = default)
    {
        var verb = recurse ? KvVerbs.DeleteTree : cas is null ? KvVerbs.Delete : KvVerbs.DeleteCas;
        return (await WriteKvAsync([new KvOperation(verb, key, Index: cas ?? 0)], cancellationToken).ConfigureAwait(false)).Succeeded;
    }

    /// <summary>Applies write operations all or none; the outcome lists every failed one (then nothing changed).</summary>
    public async Task<KvOutcome> WriteKvAsync(IReadOnlyList<KvOperation> ops, CancellationToken cancellationToken = default)
    {
        var refused = ops.Select((op, i) => op.Verb == KvVerbs.Lock && InLockDelay(op.Key)
            ? new KvOperationError(i, $"failed to lock key {Quote(op.Key)} due to lock delay") : null).OfType<KvOperationError>().ToList();
        if (refused.Count > 0)
        {
            return new KvOutcome(null, refused); // decided before the log, so replay never meets a lock delay it cannot know
        }

        var pending = QueuePending(index => LogRecord.Kv(ops, index));
        await pending.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return (KvOutcome)pending.Output!;
    }

    /// <summary>A transaction of reads only: answered from the applied state, without a log write (Consul's fast path).</summary>
    public KvOutcome ReadKv(IReadOnlyList<KvOperation> ops)
    {
        lock (_gate)
        {
            var results = new List<KvResult>();
            var errors = new List<KvOperationError>();
            for (var i = 0; i < ops.Count; i++)
            {
                if (Read(ops[i], results) is { } error)
                {
                    errors.Add(new KvOperationError(i, error));
                }
            }

            return errors.Count > 0 ? new KvOutcome(null, errors) : new KvOutcome(results, null);
        }
    }

    public (ulong Index, IReadOnlyList<KvRecord> Pairs) Kv(string key, bool recurse)
    {
        lock (_gate)
        {
            var pairs = recurse ? Under(key).ToList() : _kv.TryGetValue(key, out var one) ? [one] : [];
            return (KvIndexOf(key, recurse), pairs);
        }
    }

    /// <summary>?keys: the keys under a prefix, each cut after the first <paramref name="separator"/> past the prefix (Consul's folding).</summary>
    public (ulong Index, IReadOnlyList<string> Keys) KvKeys(string prefix, string? separator)
    {
        lock (_gate)
        {
            var keys = Under(prefix).Select(entry =>
            {
                var cut = string.IsNullOrEmpty(separator) ? -1 : entry.Key.IndexOf(separator, prefix.Length, StringComparison.Ordinal);
                return cut < 0 ? entry.Key : entry.Key[..(cut + separator!.Length)];
            });
            return (KvIndexOf(prefix, recurse: true), [.. keys.Distinct(StringComparer.Ordinal)]);
        }
    }

    /// <summary>
    /// The index a KV read answers with, as Consul's: a key's ModifyIndex, else the KV table's; for a prefix the highest
    /// index of its entries and deletions, else the table's.
    /// </summary>
    public ulong KvIndexOf(string key, bool recurse)
    {
        lock (_gate)
        {
            var changed = KvChangeIndex(key, recurse);
            return changed > 0 && (recurse || _kv.ContainsKey(key)) ? changed : Math.Max(_kvIndex, 1);
        }
    }

    /// <summary>When a key or prefix last changed (0: never seen): what a blocking KV query waits to pass.</summary>
    public ulong KvChangeIndex(string key, bool recurse)
    {
        lock (_gate)
        {
            if (!recurse)
            {
                return _kv.TryGetValue(key, out var entry) ? entry.ModifyIndex : _tombstones.GetValueOrDefault(key);
            }

            if (key.Length == 0)
            {
                return _kvIndex;
            }

            var live = Under(key).Select(e => e.ModifyIndex).DefaultIfEmpty(0UL).Max();
            var dead = Prefixed(_tombstones, key).Select(t => t.Value).DefaultIfEmpty(0UL).Max();
            return Math.Max(live, dead);
        }
    }

    private IEnumerable<KvRecord> Under(string prefix) => Prefixed(_kv, prefix).Select(e => e.Value);

    // The sorted run of keys that start with the prefix (SortedDictionary has no range lookup: skip to it, stop after it).
    private static IEnumerable<KeyValuePair<string, T>> Prefixed<T>(SortedDictionary<string, T> sorted, string prefix) =>
        prefix.Length == 0 ? sorted
        : sorted.SkipWhile(e => string.CompareOrdinal(e.Key, prefix) < 0).TakeWhile(e => e.Key.StartsWith(prefix, StringComparison.Ordinal));

    // Under the lock. All or none: the first pass applies and remembers what each touched key was; any error restores them.
    private KvOutcome ApplyKv(IReadOnlyList<KvOperation> ops, ulong index, AppliedChanges? changes)
    {
        var before = new Dictionary<string, KvRecord?>(StringComparer.Ordinal);
        var results = new List<KvResult>();
        var errors = new List<KvOperationError>();
        for (var i = 0; i < ops.Count; i++)
        {
            var error = KvVerbs.IsWrite(ops[i].Verb) ? Write(ops[i], index, before, results) : Read(ops[i], results);
            if (error is not null)
            {
                errors.Add(new KvOperationError(i, error));
            }
        }

        if (errors.Count > 0)
        {
            foreach (var (key, old) in before)
            {
                if (old is null)
                {
                    _kv.Remove(key);
                }
                else
                {
                    _kv[key] = old;
                }
            }

            return new KvOutcome(null, errors);
        }

        if (before.Count > 0)
        {
            foreach (var key in before.Keys)
            {
                if (_kv.ContainsKey(key))
                {
                    _tombstones.Remove(key);
                }
                else
                {
                    _tombstones[key] = index;
                }
            }

            _kvIndex = Advance(index, changes, ChangeSignals.Kv);
        }

        return new KvOutcome(results, null);
    }
}
