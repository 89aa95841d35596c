using System.Net;
using Microsoft.Extensions.Logging;

namespace ServiceMesh.Configuration;

internal enum LogFormat { Json, Text }

internal enum DiscoveryMode { Embedded, Consul }

/// <summary>A folder the runtime writes to, with the variable that set it (so errors can name it).</summary>
internal sealed record WritableFolder(string EnvironmentName, string Path);

/// <summary>The validated runtime settings. Only <see cref="MeshConfiguration"/> creates these.</summary>
internal sealed record MeshOptions
{
    public required IPAddress BindAddress { get; init; }
    public required int HttpPort { get; init; }
    /// <summary>Bearer token for mutating routes; null means they are open. Never logged.</summary>
    public string? ApiToken { get; init; }
    public required LogLevel LogLevel { get; init; }
    public required LogFormat LogFormat { get; init; }
    public required string ConfigPath { get; init; }
    public required string CertificatesPath { get; init; }
    public required string EnvoyConfigPath { get; init; }
    public required string DataPath { get; init; }
    public required string LogsPath { get; init; }
    public required DiscoveryMode DiscoveryMode { get; init; }
    public required string ConsulHost { get; init; }
    public required int ConsulPort { get; init; }
    public required string ConsulDatacenter { get; init; }
    public required int EmbeddedConsulHttpPort { get; init; }
    public required int EmbeddedConsulHttpsPort { get; init; }
    public required int EmbeddedConsulGrpcPort { get; init; }
    public required int EmbeddedDnsPort { get; init; }
    public required string TrustDomain { get; init; }
    public required int CertValidityDays { get; init; }
    public required int CaValidityDays { get; init; }

    /// <summary>Every folder the runtime writes; preflight probes exactly these, and nothing else is written.</summary>
    public IReadOnlyList<WritableFolder> WritableFolders =>
    [
        new(MeshSettings.CertificatesPath.EnvironmentName, CertificatesPath),
        new(MeshSettings.EnvoyConfigPath.EnvironmentName, EnvoyConfigPath),
        new(MeshSettings.DataPath.EnvironmentName, DataPath),
        new(MeshSettings.LogsPath.EnvironmentName, LogsPath),
    ];

    /// <summary>Where a local client (the healthcheck command) reaches the HTTP API.</summary>
    public IPAddress LoopbackAddress =>
        BindAddress.Equals(IPAddress.Any) ? IPAddress.Loopback
        : BindAddress.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
        : BindAddress;
}
