using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServiceMesh.Configuration;
using ServiceMesh.Envoy.Api;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Storage;

namespace ServiceMesh.Envoy.Inputs;

/// <summary>
/// POST /envoy/configs registrations, in DATA_PATH/envoy/registrations.json: a change that cannot be saved is not made
/// (503) and reported to <see cref="StorageFaults"/>; retried every <see cref="RetryEvery"/>. Revalidated on load.
/// </summary>
internal sealed partial class EnvoyApiRegistrations : IEnvoyInputs, IDisposable
{
    /// <summary>The name this writer reports its faults under.</summary>
    public const string Writer = "registrations";

    /// <summary>How often a failed save is retried (with the current state) until the disk takes it.</summary>
    internal static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new(); // one writer at a time, so the file always holds the latest state
    private readonly string _path;
    private readonly ILogger<EnvoyApiRegistrations> _logger;
    private readonly StorageFaults _faults;
    private readonly TimeProvider _time;
    private ITimer? _retry; // under _gate; set while the last save failed
    private ImmutableDictionary<string, MeshMember> _members = ImmutableDictionary.Create<string, MeshMember>(StringComparer.Ordinal);

    public EnvoyApiRegistrations(EnvoySettings settings, ILogger<EnvoyApiRegistrations> logger, StorageFaults? faults = null, TimeProvider? time = null)
    {
        _path = settings.RegistrationsFile;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _faults = faults ?? new StorageFaults(_time);
        Load();
    }

    public string Name => "api";

    public int Precedence => 100;

    public string FilePath => _path;

    public MeshTopology Current => new([.. Volatile.Read(ref _members).Values.OrderBy(m => m.Name, StringComparer.Ordinal)]);

    public event Action<string>? Changed;

    /// <summary>Adds or replaces a registration and saves it; true when it was new. Throws <see cref="StorageUnavailableException"/> when it cannot be saved (then nothing changed).</summary>
    public bool Set(MeshMember member)
    {
        bool isNew;
        lock (_gate)
        {
            isNew = !_members.ContainsKey(member.Name);
            Save(_members.SetItem(member.Name, member));
        }
        Changed?.Invoke($"API registered {member.Name}");
        return isNew;
    }

    /// <summary>Removes a registration and saves that; false when there was none. Throws <see cref="StorageUnavailableException"/> when it cannot be saved.</summary>
    public bool Remove(string service)
    {
        lock (_gate)
        {
            if (!_members.ContainsKey(service))
            {
                return false;
            }

            Save(_members.Remove(service));
        }
        Changed?.Invoke($"API removed {service}");
        return true;
    }

    // Caller holds _gate. Memory changes only after the file holds the new state: a reader never sees a change a restart would lose.
    private void Save(ImmutableDictionary<string, MeshMember> members)
    {
        try
        {
            AtomicFile.WriteIfChanged(_path, Serialize(members), FileModes.Private);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Failed(e);
            throw new StorageUnavailableException(e.Message, e);
        }
        Recovered();
        Volatile.Write(ref _members, members);
    }

    private static string Serialize(ImmutableDictionary<string, MeshMember> members) => JsonSerializer.Serialize(
        new RegistrationsFile(members.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToDictionary(m => m.Name, ToRequest, StringComparer.Ordinal)),
        RegistrationsJsonContext.Default.RegistrationsFile);

    // Caller holds _gate.
    private void Failed(Exception e)
    {
        _faults.Failed(Writer, Path.GetDirectoryName(_path)!, e, refusesWrites: true);
        _retry ??= _time.CreateTimer(_ => Retry(), null, RetryEvery, RetryEvery);
    }

    // Caller holds _gate.
    private void Recovered()
    {
        if (_retry is null)
        {
            return;
        }

        _retry.Dispose();
        _retry = null;
        _faults.Succeeded(Writer);
    }

    // Rewrites the current state whether or not the file already holds it: only a real write shows the disk takes writes again.
    private void Retry()
    {
        lock (_gate)
        {
            if (_retry is null)
            {
                return;
            }

            try
            {
                FileModes.CreateDirectory(Path.GetDirectoryName(_path)!, FileModes.PrivateFolder);
                AtomicFile.Write(_path, System.Text.Encoding.UTF8.GetBytes(Serialize(Volatile.Read(ref _members))), FileModes.Private);
            }
            catch (Exception e) when (e is not OutOfMemoryException) // a timer callback must not throw: that would end the process
            {
                _faults.Failed(Writer, Path.GetDirectoryName(_path)!, e, refusesWrites: true);
                return;
            }
            Recovered();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _retry?.Dispose();
            _retry = null;
        }
    }

    private void Load()
    {
        string text;
        try
        {
            if (Directory.Exists(_path))
            {
                throw new IOException("it is a folder, not a file");
            }

            if (!File.Exists(_path))
            {
                return;
            }

            text = File.ReadAllText(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not a bad file, a failing read: starting without the registrations would delete their sidecars' files.
            throw new StateFileException($"{_path} cannot be read ({e.Message}). Fix its permissions (owner 65532) or the disk, then start again.", e);
        }
        if (FileModes.TryRepair(_path, FileModes.Private) is { } modeProblem)
        {
            Log.ModeNotRepaired(_logger, _path, modeProblem);
        }

        var (members, problem) = Parse(text);
        if (problem is null)
        {
            _members = members;
            Log.Loaded(_logger, _members.Count, _path);
            return;
        }
        // Never overwrite what cannot be used: keep it beside, start without it, and say where it went.
        var aside = $"{_path}.invalid-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssfffZ}";
        Log.Unreadable(_logger, _path, aside, problem);
        try
        {
            File.Move(_path, aside);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException($"{_path} is invalid ({problem}) and could not be moved aside to {aside} ({e.Message}). Repair or remove it, then start again.", e);
        }
    }

    private static (ImmutableDictionary<string, MeshMember> Members, string? Problem) Parse(string text)
    {
        var members = ImmutableDictionary.CreateBuilder<string, MeshMember>(StringComparer.Ordinal);
        try
        {
            var file = JsonSerializer.Deserialize(text, RegistrationsJsonContext.Default.RegistrationsFile);
            var problems = new List<string>();
            foreach (var (service, request) in file?.Registrations ?? new Dictionary<string, EnvoyConfigRequest>())
            {
                if (!ServiceName.IsValid(service, out var nameProblem))
                {
                    problems.Add($"'{service}': {nameProblem}");
                }
                else if (EnvoyEndpoints.ToMember(service, request, out var problem) is { } member)
                {
                    members[service] = member;
                }
                else
                {
                    problems.Add($"{service}: {problem}");
                }
            }
            return (members.ToImmutable(), file is null ? "the file holds null" : problems.Count > 0 ? string.Join("; ", problems) : null);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return (members.ToImmutable(), e.Message);
        }
    }

    private static EnvoyConfigRequest ToRequest(MeshMember member) => new(
        member.PassingAddresses.Count > 0 ? member.PassingAddresses[0] : null, member.ServicePort,
        [.. member.Upstreams.Select(u => new EnvoyUpstreamRequest(u.Name, u.LocalBindPort))],
        member.Protocol.Name(), member.PublicPort, member.Requested?.Admin, member.Requested?.Prometheus, member.Requested?.Ready);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Count} sidecar registration(s) from the API restored from {Path}")]
        public static partial void Loaded(ILogger logger, int count, string path);

        [LoggerMessage(3, LogLevel.Warning, "{Path} should have mode 0600 and could not be given it ({Reason}); fix its ownership (65532:65532) or set the mode by hand")]
        public static partial void ModeNotRepaired(ILogger logger, string path, string reason);

        [LoggerMessage(2, LogLevel.Error, "{Path} cannot be used ({Problem}); moved to {Aside} and starting without API registrations: register again or repair and move it back")]
        public static partial void Unreadable(ILogger logger, string path, string aside, string problem);
    }
}

/// <summary>DATA_PATH/envoy/registrations.json: the accepted POST /envoy/configs bodies by service.</summary>
internal sealed record RegistrationsFile(
    [property: JsonPropertyName("registrations")] IReadOnlyDictionary<string, EnvoyConfigRequest>? Registrations);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(RegistrationsFile))]
internal sealed partial class RegistrationsJsonContext : JsonSerializerContext;
