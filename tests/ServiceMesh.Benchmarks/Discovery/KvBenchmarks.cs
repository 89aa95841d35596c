using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Benchmarks.Discovery;

/// <summary>
/// The embedded KV store with 10,000 keys: durable puts (fsync'd group commit; one alone, and 1,000 concurrent per
/// invocation), reads, and a session's lock acquire + release (two durable writes), alone and 100 sessions at once on
/// their own keys. OperationsPerInvoke makes each mean a per-operation time (operations/s = 1 s / mean).
/// </summary>
[MemoryDiagnoser]
public class KvBenchmarks
{
    private const int Keys = 10_000;
    private const int Concurrent = 1000;
    private const int Lockers = 100;
    private readonly byte[] _value = new byte[256];
    private string _folder = "";
    private RegistryLog _log = null!;
    private RegistryStore _store = null!;
    private string[] _sessions = [];
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sm-bench-kv-" + Guid.NewGuid().ToString("N"));
        _log = RegistryLog.Open(_folder, NullLogger.Instance);
        _store = new RegistryStore(_log, TimeProvider.System);
        Task.WhenAll(Enumerable.Range(0, Keys).Select(i => _store.PutKvAsync(Key(i), _value, 0))).GetAwaiter().GetResult();
        var session = new SessionRecord("", "", _store.NodeName, 0, SessionRecord.Release, "", [], []);
        _sessions = [.. Enumerable.Range(0, Lockers).Select(_ => _store.CreateSessionAsync(session).GetAwaiter().GetResult().Id!)];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public Task<bool> PutOne() => _store.PutKvAsync(Key(Interlocked.Increment(ref _round) % Keys), Next(), 0);

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task PutThousandConcurrently()
    {
        var value = Next();
        return Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => _store.PutKvAsync(Key(i * 7 % Keys), value, 0)));
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public int GetThousand()
    {
        var found = 0;
        for (var i = 0; i < 1000; i++)
        {
            found += _store.Kv(Key(i * 13 % Keys), recurse: false).Pairs.Count;
        }

        return found;
    }

    [Benchmark(Description = "lock acquire + release, one session")]
    public async Task AcquireRelease() => await AcquireReleaseAsync(_sessions[0], "locks/one");

    [Benchmark(OperationsPerInvoke = Lockers, Description = "lock acquire + release, 100 sessions at once")]
    public Task AcquireReleaseHundredSessions() =>
        Task.WhenAll(_sessions.Select((session, i) => AcquireReleaseAsync(session, $"locks/{i}")));

    private async Task AcquireReleaseAsync(string session, string key)
    {
        var acquired = await _store.WriteKvAsync([new KvOperation(KvVerbs.Lock, key, _value, Session: session)]);
        var released = await _store.WriteKvAsync([new KvOperation(KvVerbs.Unlock, key, _value, Session: session)]);
        if (!acquired.Succeeded || !released.Succeeded)
        {
            throw new InvalidOperationException($"lock round on {key} failed: {acquired.Errors?[0].What ?? released.Errors?[0].What}");
        }
    }

    // A fresh value each call, so no write is skipped as unchanged.
    private byte[] Next() => BitConverter.GetBytes(Interlocked.Increment(ref _round));

    private static string Key(int i) => $"config/app-{i % 100}/key-{i}";
}
