using System.Globalization;
using Microsoft.Extensions.Logging;
using ServiceMesh.Certificates;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Discovery.Watch;
using ServiceMesh.Envoy.Planning;

namespace ServiceMesh.Envoy.Inputs;

/// <summary>Discovery and certificates for the Envoy writer; members: services.yaml <c>mesh:</c> or the <c>mesh</c> tag (meta
/// <c>mesh_public_port</c>, <c>mesh_admin_port</c>, <c>mesh_prometheus_port</c>, <c>mesh_ready_port</c>, <c>mesh_upstreams</c>
/// "name:port,...", <c>protocol</c>; ports not named are allocated); upstreams: passing.</summary>
internal sealed partial class CatalogMeshInputs(ICatalogWatcher catalog, ICertificateEvents certificates, ILogger<CatalogMeshInputs> logger,
    CertificateManager? manager = null)
    : BackgroundService, IEnvoyInputs
{
    public const string MeshTag = "mesh";

    private static readonly TimeSpan StartedPoll = TimeSpan.FromMilliseconds(20);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MeshTopology _current = MeshTopology.Empty;
    private long _followedVersion = -1; // the newest catalog snapshot Current was built from

    public string Name => "discovery";

    public int Precedence => 0;

    public MeshTopology Current => Volatile.Read(ref _current);

    public event Action<string>? Changed;

    /// <summary>Completes once the catalog's first full read is in <see cref="Current"/> and the certificates on disk are loaded.</summary>
    public Task Ready => _ready.Task;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(FollowCatalogAsync(stoppingToken), FollowCertificatesAsync(stoppingToken), BecomeReadyAsync(stoppingToken));

    private async Task BecomeReadyAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Started before any Envoy service (registered first); polled only in case a host composes them otherwise.
            while (manager is { Started: false })
            {
                await Task.Delay(StartedPoll, stoppingToken).ConfigureAwait(false);
            }

            await catalog.Loaded.WaitAsync(stoppingToken).ConfigureAwait(false);
            TryReady();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Ready once Current was built from a snapshot at least as new as the one that completed the catalog's first load.
    private void TryReady()
    {
        if (catalog.Loaded.IsCompleted && manager is not { Started: false } && Volatile.Read(ref _followedVersion) >= catalog.Current.Version)
        {
            _ready.TrySetResult();
        }
    }

    private async Task FollowCatalogAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in catalog.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                var topology = ToTopology(change.Snapshot);
                Volatile.Write(ref _current, topology);
                Volatile.Write(ref _followedVersion, change.Snapshot.Version);
                TryReady();
                Log.CatalogChanged(logger, change.Snapshot.Version, topology.Members.Count, change.ChangedServices.Length);
                Changed?.Invoke($"catalog changed: {string.Join(", ", change.ChangedServices.Take(5))}");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task FollowCertificatesAsync(CancellationToken stoppingToken)
    {
        using var subscription = certificates.Subscribe();
        try
        {
            await foreach (var change in subscription.Changes.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                Changed?.Invoke($"certificate {change.Kind}: {change.Service ?? "trust bundle"}");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal static MeshTopology ToTopology(CatalogSnapshot snapshot)
    {
        var members = new List<MeshMember>();
        foreach (var service in snapshot.Services.Values)
        {
            if (ToMember(service) is { } member)
            {
                members.Add(member);
            }
        }

        return new MeshTopology(members);
    }

    private static MeshMember? ToMember(CatalogService service)
    {
        var passing = service.Instances.Where(i => i.Health == InstanceHealth.Passing).Select(i => i.Address).Distinct(StringComparer.Ordinal).ToList();
        if (service.Definition is { Mesh: not null } definition)
        {
            return Declared(definition, passing);
        }
        var tagged = service.Instances.FirstOrDefault(i => i.Tags.Contains(MeshTag));
        if (tagged is null)
        {
            return null;
        }

        var protocol = MeshProtocols.ParseOrHttp(tagged.Meta.GetValueOrDefault("protocol"));
        return new MeshMember(service.Name, protocol, tagged.Port, MetaPort(tagged, "mesh_public_port"), Upstreams(tagged.Meta.GetValueOrDefault("mesh_upstreams")), passing,
            new SidecarPortRequest(MetaPort(tagged, "mesh_admin_port"), MetaPort(tagged, "mesh_prometheus_port"), MetaPort(tagged, "mesh_ready_port")));
    }

    /// <summary>The member a services.yaml entry with <c>mesh:</c> declares.</summary>
    internal static MeshMember Declared(ServiceDefinition definition, IReadOnlyList<string> passing)
    {
        var mesh = definition.Mesh!;
        return new MeshMember(definition.Name, MeshProtocols.ParseOrHttp(definition.Protocol.ToString().ToLowerInvariant()), definition.Port,
            mesh.PublicPort, [.. mesh.Upstreams.Select(u => new MeshUpstreamRef(u.Name, u.LocalBindPort))], passing,
            new SidecarPortRequest(mesh.AdminPort, mesh.PrometheusPort, mesh.ReadyPort), Declared: true);
    }

    // A missing or malformed port is allocated by the host's port plan.
    private static int? MetaPort(CatalogInstance instance, string key) =>
        PortNumber.TryParse(instance.Meta.GetValueOrDefault(key), out var port) ? port : null;

    // "auth-service:9001,lucid-redis:9002"; malformed entries are skipped (the registration API validated what it could).
    private static List<MeshUpstreamRef> Upstreams(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => entry.Split(':'))
            .Where(parts => parts.Length == 2 && ServiceName.IsValid(parts[0], out _) && PortNumber.TryParse(parts[1], out _))
            .Select(parts => new MeshUpstreamRef(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture)))];

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Catalog version {Version}: {Members} mesh members, {Changed} services changed")]
        public static partial void CatalogChanged(ILogger logger, long version, int members, int changed);
    }
}
