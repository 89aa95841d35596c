using System.Formats.Tar;
using ServiceMesh.Build.Docker;
using ServiceMesh.Build.Verification;

namespace ServiceMesh.Build.Tests.Verification;

/// <summary>A file in the fake image.</summary>
internal sealed record FakeFile(byte[] Content, UnixFileMode Mode = (UnixFileMode)0b110_100_100);

/// <summary>How a started fake container behaves: the statuses it reports one inspect after another (the last repeats) and its logs.</summary>
internal sealed record FakeRun(IReadOnlyList<ContainerStatus> Statuses, string Logs = "", long ExitCodeAfterStop = 0);

/// <summary>
/// An in-memory engine with one image: its metadata, its files (served as tar streams like the archive endpoint),
/// and scripted runs. Records every container it creates and removes.
/// </summary>
internal sealed class FakeContainerEngine : IContainerEngine
{
    private readonly Dictionary<string, (ContainerSpec Spec, FakeRun? Run, int Inspections, bool Stopped)> _containers = [];

    public FakeContainerEngine(ImageFacts? image, Dictionary<string, FakeFile> files)
    {
        Image = image;
        Files = files;
    }

    public ImageFacts? Image { get; set; }

    public Dictionary<string, FakeFile> Files { get; }

    /// <summary>Decides how a started container behaves, from how it was created.</summary>
    public Func<ContainerSpec, FakeRun> Runs { get; set; } = _ => throw new InvalidOperationException("no run scripted");

    public List<ContainerSpec> Created { get; } = [];

    public List<string> Removed { get; } = [];

    public IEnumerable<string> Leftovers => _containers.Keys.Except(Removed);

    public Task<ImageFacts?> InspectImageAsync(string image, CancellationToken cancellationToken) => Task.FromResult(Image);

    public Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        var id = $"container-{_containers.Count + 1}";
        _containers[id] = (spec, null, 0, false);
        Created.Add(spec);
        return Task.FromResult(id);
    }

    public Task<Stream?> ReadArchiveAsync(string containerId, string path, CancellationToken cancellationToken)
    {
        var matches = Files.Where(f => f.Key == path || f.Key.StartsWith(path + "/", StringComparison.Ordinal)).OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        if (matches.Count == 0)
        {
            return Task.FromResult<Stream?>(null);
        }

        // Like Docker: names relative to the parent of the requested path, a folder first.
        var parent = path[..path.LastIndexOf('/')];
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            if (matches[0].Key != path)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, path[(parent.Length + 1)..] + "/"));
            }

            foreach (var (filePath, file) in matches)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, filePath[(parent.Length + 1)..]) { Mode = file.Mode, DataStream = new MemoryStream(file.Content) };
                writer.WriteEntry(entry);
            }
        }

        stream.Position = 0;
        return Task.FromResult<Stream?>(stream);
    }

    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        var container = _containers[containerId];
        _containers[containerId] = container with { Run = Runs(container.Spec) };
        return Task.CompletedTask;
    }

    public Task<ContainerStatus> InspectContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        var container = _containers[containerId];
        if (container.Stopped)
        {
            return Task.FromResult(new ContainerStatus("exited", false, container.Run!.ExitCodeAfterStop, null));
        }

        var statuses = container.Run?.Statuses ?? [new ContainerStatus("created", false, 0, null)];
        _containers[containerId] = container with { Inspections = container.Inspections + 1 };
        return Task.FromResult(statuses[Math.Min(container.Inspections, statuses.Count - 1)]);
    }

    public Task StopContainerAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken)
    {
        _containers[containerId] = _containers[containerId] with { Stopped = true };
        return Task.CompletedTask;
    }

    public Task<string> ReadLogsAsync(string containerId, CancellationToken cancellationToken) =>
        Task.FromResult(_containers[containerId].Run?.Logs ?? "");

    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        Removed.Add(containerId);
        return Task.CompletedTask;
    }
}

/// <summary>Answers each probe through a function of the request and remembers the requests.</summary>
internal sealed class FakeHttpProbe(Func<ProbeRequest, HttpAnswer> answer) : IHttpProbe
{
    public FakeHttpProbe(HttpAnswer fixedAnswer) : this(_ => fixedAnswer)
    {
    }

    public List<ProbeRequest> Requests { get; } = [];

    public Task<HttpAnswer> SendAsync(ProbeRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        return Task.FromResult(answer(request));
    }
}
