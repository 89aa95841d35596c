using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ServiceMesh.Configuration;

/// <summary>Turns raw strings into <see cref="MeshOptions"/>, collecting one line per invalid value.</summary>
internal sealed partial class MeshOptionsParser(IReadOnlyDictionary<MeshSetting, RawSetting> raw)
{
    public List<string> Problems { get; } = [];

    public MeshOptions Parse()
    {
        var options = new MeshOptions
        {
            BindAddress = BindAddress(),
            HttpPort = Port(MeshSettings.HttpPort),
            ApiToken = ApiToken(),
            LogLevel = Level(),
            LogFormat = OneOf(MeshSettings.LogFormat, LogFormat.Json, ("json", LogFormat.Json), ("text", LogFormat.Text)),
            ConfigPath = AbsolutePath(MeshSettings.ConfigPath),
            CertificatesPath = AbsolutePath(MeshSettings.CertificatesPath),
            EnvoyConfigPath = AbsolutePath(MeshSettings.EnvoyConfigPath),
            DataPath = AbsolutePath(MeshSettings.DataPath),
            LogsPath = AbsolutePath(MeshSettings.LogsPath),
            DiscoveryMode = OneOf(MeshSettings.DiscoveryMode, DiscoveryMode.Embedded, ("embedded", DiscoveryMode.Embedded), ("consul", DiscoveryMode.Consul)),
            ConsulHost = HostName(MeshSettings.ConsulHost),
            ConsulPort = Port(MeshSettings.ConsulPort),
            ConsulDatacenter = Matching(MeshSettings.ConsulDatacenter, DatacenterPattern(), "a Consul datacenter name: letters, digits, '-' and '_'"),
            EmbeddedConsulHttpPort = Port(MeshSettings.EmbeddedConsulHttpPort),
            EmbeddedConsulHttpsPort = Port(MeshSettings.EmbeddedConsulHttpsPort),
            EmbeddedConsulGrpcPort = Port(MeshSettings.EmbeddedConsulGrpcPort),
            EmbeddedDnsPort = Port(MeshSettings.EmbeddedDnsPort),
            TrustDomain = Matching(MeshSettings.TrustDomain, TrustDomainPattern(), "a SPIFFE trust domain: lowercase letters, digits, '.', '-' and '_' (e.g. lucid.local)"),
            CertValidityDays = raw[MeshSettings.CertValidityDays].Value.Length == 0 ? 0 : Days(MeshSettings.CertValidityDays, max: 3650),
            CertTtl = OptionalDuration(MeshSettings.CertTtl, MinCertTtl),
            CaValidityDays = Days(MeshSettings.CaValidityDays, max: 36500),
            CertKeyAlgorithm = OneOf(MeshSettings.CertKeyAlgorithm, KeyAlgorithm.EcdsaP256, ("ecdsa-p256", KeyAlgorithm.EcdsaP256), ("ecdsa", KeyAlgorithm.EcdsaP256), ("rsa", KeyAlgorithm.Rsa)),
            CertKeySize = RsaKeySize(),
            CaRotationGrace = OptionalDuration(MeshSettings.CaRotationGrace, TimeSpan.Zero) ?? TimeSpan.Zero,
            EnvoyAdminPort = PortRangeStart(MeshSettings.EnvoyAdminPort),
            EnvoyStatsBindAddress = IpAddress(MeshSettings.EnvoyStatsBindAddress),
            EnvoyConfigLayout = OneOf(MeshSettings.EnvoyConfigLayout, EnvoyConfigLayout.Dynamic, ("dynamic", EnvoyConfigLayout.Dynamic), ("static", EnvoyConfigLayout.Static)),
        };
        CheckPortsDistinct();
        CheckCertificateLifetime(options);
        return WithDiscovery(options);
    }

    private IPAddress BindAddress()
    {
        var setting = raw[MeshSettings.Host];
        if (IPAddress.TryParse(setting.Value, out var address))
        {
            return address;
        }

        Problems.Add($"{setting.Describe()}: expected an IP address (0.0.0.0 for all IPv4 interfaces, :: for all interfaces, 127.0.0.1 for loopback only). "
            + "This is the address the HTTP server binds to, not the container's hostname (bound to a hostname, health checks on localhost fail).");
        return IPAddress.Any;
    }

    // Ports this process listens on must not collide; CONSUL_PORT is a remote port, so it is not among them.
    private void CheckPortsDistinct()
    {
        MeshSetting[] listening = [MeshSettings.HttpPort, MeshSettings.EmbeddedConsulHttpPort, MeshSettings.EmbeddedConsulHttpsPort, MeshSettings.EmbeddedConsulGrpcPort, MeshSettings.EmbeddedDnsPort];
        foreach (var group in listening.Select(s => raw[s]).Where(r => PortNumber.TryParse(r.Value, out _)).GroupBy(r => int.Parse(r.Value, CultureInfo.InvariantCulture)).Where(g => g.Count() > 1))
        {
            Problems.Add($"{string.Join(" and ", group.Select(r => r.Describe()))}: expected distinct ports, each listening port can be used once");
        }
    }

    private string? ApiToken()
    {
        var setting = raw[MeshSettings.ApiToken];
        if (setting.Value.Length == 0)
        {
            return null;
        }

        if (setting.Value.Length < 16 || setting.Value.Any(char.IsWhiteSpace))
        {
            Problems.Add($"{setting.Describe()}: expected at least 16 characters without spaces (generate one with `openssl rand -hex 32`)");
        }

        return setting.Value;
    }

    private LogLevel Level()
    {
        var setting = raw[MeshSettings.LogLevel];
        LogLevel? level = setting.Value.ToUpperInvariant() switch
        {
            "TRACE" => LogLevel.Trace,
            "DEBUG" => LogLevel.Debug,
            "INFO" or "INFORMATION" => LogLevel.Information,
            "WARNING" or "WARN" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            "CRITICAL" => LogLevel.Critical,
            _ => null,
        };
        if (level is null)
        {
            Problems.Add($"{setting.Describe()}: expected one of DEBUG, INFO, WARNING, ERROR (or .NET's Trace, Debug, Information, Warning, Error, Critical)");
        }

        return level ?? LogLevel.Information;
    }

    private T OneOf<T>(MeshSetting key, T fallback, params (string Name, T Value)[] choices)
    {
        var setting = raw[key];
        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, setting.Value, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        Problems.Add($"{setting.Describe()}: expected one of {string.Join(", ", choices.Select(c => c.Name))}");
        return fallback;
    }

    private int Port(MeshSetting key)
    {
        var setting = raw[key];
        if (PortNumber.TryParse(setting.Value, out var port))
        {
            return port;
        }

        Problems.Add($"{setting.Describe()}: expected {PortNumber.Rule}");
        return 0;
    }

    // The sidecars' four blocks of 1,000 ports (admin, Prometheus, public, ready) must end by 65535.
    private int PortRangeStart(MeshSetting key)
    {
        var setting = raw[key];
        if (PortNumber.TryParse(setting.Value, out var port) && port <= MaxPortRangeStart)
        {
            return port;
        }

        Problems.Add($"{setting.Describe()}: expected a port from 1 to {MaxPortRangeStart} (the start of 4,000 sidecar ports)");
        return 0;
    }

    private const int MaxPortRangeStart = 65536 - 4000;

    private IPAddress IpAddress(MeshSetting key)
    {
        var setting = raw[key];
        if (IPAddress.TryParse(setting.Value, out var address))
        {
            return address;
        }

        Problems.Add($"{setting.Describe()}: expected an IP address (127.0.0.1 for loopback only, 0.0.0.0 for all IPv4 interfaces)");
        return IPAddress.Loopback;
    }

    private int Days(MeshSetting key, int max)
    {
        var setting = raw[key];
        if (int.TryParse(setting.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days >= 1 && days <= max)
        {
            return days;
        }

        Problems.Add($"{setting.Describe()}: expected a whole number of days from 1 to {max}");
        return 0;
    }

    private string AbsolutePath(MeshSetting key)
    {
        var setting = raw[key];
        if (Path.IsPathFullyQualified(setting.Value))
        {
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(setting.Value));
        }

        Problems.Add($"{setting.Describe()}: expected an absolute path (e.g. {key.Default})");
        return setting.Value;
    }

    private string HostName(MeshSetting key)
    {
        var setting = raw[key];
        if (Uri.CheckHostName(setting.Value) != UriHostNameType.Unknown)
        {
            return setting.Value;
        }

        Problems.Add($"{setting.Describe()}: expected a host name or IP address");
        return setting.Value;
    }

    private string Matching(MeshSetting key, Regex pattern, string expected)
    {
        var setting = raw[key];
        if (!pattern.IsMatch(setting.Value))
        {
            Problems.Add($"{setting.Describe()}: expected {expected}");
        }

        return setting.Value;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex DatacenterPattern();

    [GeneratedRegex(@"^[a-z0-9._-]{1,255}\z")]
    private static partial Regex TrustDomainPattern();
}
