namespace ServiceMesh.Discovery.Registry;

/// <summary>The KV store: writes through the log, with check-and-set decided when the record is applied, in log order.</summary>
internal sealed partial class RegistryStore
{
    /// <summary>False when <paramref name="cas"/> was given and did not match (nothing written).</summary>
    public Task<bool> PutKvAsync(string key, byte[] value, ulong flags, ulong? cas = null, CancellationToken cancellationToken = default) =>
        Queue(index => LogRecord.KvPut(key, value, flags, index, cas)).WaitAsync(cancellationToken);

    /// <summary>Deletes the key, or every key under it as a prefix; false when <paramref name="cas"/> did not match.</summary>
    public async Task<bool> DeleteKvAsync(string key, ulong? cas = null, bool recurse = false, CancellationToken cancellationToken = default) =>
        await Queue(index => LogRecord.KvDelete(key, index, cas, recurse)).WaitAsync(cancellationToken).ConfigureAwait(false) || cas is null;

    public (ulong Index, IReadOnlyList<KvRecord> Pairs) Kv(string key, bool recurse)
    {
        lock (_gate)
        {
            var pairs = recurse ? _kv.Values.Where(k => k.Key.StartsWith(key, StringComparison.Ordinal)).ToList()
                : _kv.TryGetValue(key, out var one) ? [one] : [];
            return (Math.Max(_kvIndex, 1), pairs);
        }
    }

    /// <summary>?keys: the keys under a prefix, each cut after the first <paramref name="separator"/> past the prefix (Consul's folding).</summary>
    public (ulong Index, IReadOnlyList<string> Keys) KvKeys(string prefix, string? separator)
    {
        lock (_gate)
        {
            var keys = _kv.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k =>
            {
                var cut = string.IsNullOrEmpty(separator) ? -1 : k.IndexOf(separator, prefix.Length, StringComparison.Ordinal);
                return cut < 0 ? k : k[..(cut + separator!.Length)];
            });
            return (Math.Max(_kvIndex, 1), [.. keys.Distinct(StringComparer.Ordinal)]);
        }
    }

    // Under the lock; replay reaches the same decisions because records are applied in log order.
    private bool ApplyKv(LogRecord record, AppliedChanges? changes)
    {
        var key = record.Key!;
        _kv.TryGetValue(key, out var current);
        if (record.Cas is { } cas && (cas == 0 ? current is not null : current?.ModifyIndex != cas))
        {
            return false;
        }

        if (record.Op == LogRecord.KvPutOp)
        {
            _kv[key] = new KvRecord(key, record.Value ?? [], record.Flags, current?.CreateIndex ?? record.Index, record.Index);
        }
        else
        {
            var removed = false;
            foreach (var doomed in record.Recurse == true ? _kv.Keys.Where(k => k.StartsWith(key, StringComparison.Ordinal)).ToList() : [key])
            {
                removed |= _kv.Remove(doomed);
            }

            if (!removed)
            {
                return false;
            }
        }

        _kvIndex = Advance(record.Index, changes, ChangeSignals.Kv);
        return true;
    }
}
