namespace ServiceMesh.Envoy.Policies;

/// <summary>
/// policies.yaml as last read successfully. A malformed file leaves the last good policies in force (and so the
/// configuration on disk unchanged) and is reported through <see cref="Problems"/> until it is fixed.
/// </summary>
internal sealed class PolicyStore : IDisposable
{
    private readonly string _path;
    private readonly FileSystemWatcher? _watcher;
    private MeshPolicies? _lastGood;
    private IReadOnlyList<string> _problems = [];

    public PolicyStore(string configFolder)
    {
        _path = Path.Combine(configFolder, PolicyFile.FileName);
        if (Directory.Exists(configFolder))
        {
            _watcher = new FileSystemWatcher(configFolder, PolicyFile.FileName) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            _watcher.Changed += (_, _) => Changed?.Invoke();
            _watcher.Created += (_, _) => Changed?.Invoke();
            _watcher.Deleted += (_, _) => Changed?.Invoke();
            _watcher.Renamed += (_, _) => Changed?.Invoke();
            _watcher.EnableRaisingEvents = true;
        }
    }

    public string FilePath => _path;

    /// <summary>Raised (on a watcher thread) when policies.yaml may have changed.</summary>
    public event Action? Changed;

    /// <summary>Problems of the current file (empty when it is valid).</summary>
    public IReadOnlyList<string> Problems => Volatile.Read(ref _problems);

    /// <summary>Re-reads the file: the new policies, or the last good ones (null if there never were any) when it is invalid.</summary>
    public MeshPolicies? Reload()
    {
        var result = PolicyFile.Read(_path);
        if (result.IsValid)
        {
            Volatile.Write(ref _lastGood, result.Policies);
            Volatile.Write(ref _problems, []);
        }
        else
        {
            Volatile.Write(ref _problems, result.Problems);
        }
        return Volatile.Read(ref _lastGood);
    }

    public void Dispose() => _watcher?.Dispose();
}
