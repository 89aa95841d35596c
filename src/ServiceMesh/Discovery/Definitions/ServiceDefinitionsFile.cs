using System.Collections.Immutable;
using ServiceMesh.Configuration;
using YamlDotNet.RepresentationModel;
using static ServiceMesh.Configuration.YamlNodeReader;

namespace ServiceMesh.Discovery.Definitions;

/// <summary>
/// Reads CONFIG_PATH/services.yaml with YamlDotNet's node model (no reflection, AOT-safe) and validates every
/// field, collecting one line per problem with file, line and key, e.g.
/// <c>services.yaml line 7, key 'services[1].port': expected a port from 1 to 65535, found 'http'</c>.
/// </summary>
internal static partial class ServiceDefinitionsFile
{
    public const string FileName = "services.yaml";
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    /// <param name="environment">Resolves the <c>${VAR:-default}</c> placeholders of the earlier image's format.</param>
    /// <param name="defaultAddress">Address of an entry that names none (SERVICES_DEFAULT_ADDRESS); null: the service's own name.</param>
    public static (ServiceDefinitions Definitions, IReadOnlyList<string> Problems) Load(string configPath, IReadOnlyDictionary<string, string?> environment,
        string? defaultAddress = null)
    {
        var path = Path.Combine(configPath, FileName);
        if (!File.Exists(path))
        {
            return (ServiceDefinitions.Empty, []); // no platform preload: services register at run time
        }

        try
        {
            return Parse(path, File.ReadAllText(path), environment, defaultAddress);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (ServiceDefinitions.Empty, [$"{path}: cannot be read: {e.Message}"]);
        }
    }

    public static (ServiceDefinitions Definitions, IReadOnlyList<string> Problems) Parse(string path, string text, IReadOnlyDictionary<string, string?>? environment = null,
        string? defaultAddress = null)
    {
        if (YamlProblems.TryLoad(path, text, out var stream) is { } unreadable)
        {
            return (ServiceDefinitions.Empty, [unreadable]);
        }

        var yaml = new YamlNodeReader(path);
        var reader = new Reader(yaml, defaultAddress);
        var services = ImmutableArray.CreateBuilder<ServiceDefinition>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return (new ServiceDefinitions([], path), []);
        }

        if (stream.Documents[0].RootNode is YamlMappingNode earlier && Child(earlier, "services") is YamlMappingNode earlierServices)
        {
            return ParseEarlier(path, earlier, earlierServices, environment ?? new Dictionary<string, string?>(), defaultAddress);
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root || Child(root, "services") is not YamlSequenceNode list)
        {
            return (ServiceDefinitions.Empty, [YamlProblems.At(path, 1, "services", "expected a list of services (services: [- name: ..., port: ...])")]);
        }

        yaml.UnknownKeys(root, "", ["services"]);
        for (var i = 0; i < list.Children.Count; i++)
        {
            if (reader.Service(list.Children[i], $"services[{i}]") is { } service)
            {
                services.Add(service);
            }
        }

        return Validated(path, services.ToImmutable(), yaml);
    }

    private static (ServiceDefinitions Definitions, IReadOnlyList<string> Problems) Validated(string path, ImmutableArray<ServiceDefinition> services, YamlNodeReader yaml)
    {
        var problems = yaml.Problems;
        foreach (var duplicate in services.GroupBy(s => s.Name).Where(g => g.Count() > 1))
        {
            yaml.Problem(duplicate.Last().Line, "services[].name", $"'{duplicate.Key}' is listed more than once");
        }

        foreach (var service in services)
        {
            foreach (var upstream in service.Mesh?.Upstreams ?? [])
            {
                if (!services.Any(s => s.Name == upstream.Name))
                {
                    yaml.Problem(service.Line, $"{service.Name}.mesh.upstreams", $"'{upstream.Name}' is not a service in this file");
                }
            }
        }

        return problems.Count == 0 ? (new ServiceDefinitions(services, path), problems) : (ServiceDefinitions.Empty, problems);
    }

    private sealed partial class Reader(YamlNodeReader yaml, string? defaultAddress = null)
    {
        private static readonly string[] ServiceKeys = ["name", "address", "port", "protocol", "tags", "check", "mesh"];
        private static readonly string[] MeshKeys = ["public_port", "upstreams", "admin_port", "prometheus_port", "ready_port"];

        public ServiceDefinition? Service(YamlNode node, string at)
        {
            if (yaml.Mapping(node, at, "name: ..., port: ...") is not { } map)
            {
                return null;
            }

            yaml.UnknownKeys(map, at, ServiceKeys);
            var before = yaml.Problems.Count;
            var name = yaml.Scalar(map, "name", at, required: true);
            if (name is not null)
            {
                yaml.IsServiceName(Child(map, "name")!, $"{at}.name", name);
            }

            var (address, port, protocol, tags) = Endpoint(map, at, name);
            var check = Child(map, "check") is { } c ? Check(c, $"{at}.check") : null;
            var mesh = Child(map, "mesh") is { } m ? Mesh(m, $"{at}.mesh") : null;
            if (yaml.Problems.Count > before)
            {
                return null;
            }

            return new ServiceDefinition(name!, address, port, protocol, tags, check, mesh, (int)map.Start.Line);
        }

        /// <summary>Address, port, protocol and tags, the same in both formats of the file.</summary>
        private (string Address, int Port, ServiceProtocol Protocol, ImmutableArray<string> Tags) Endpoint(YamlMappingNode map, string at, string? name)
        {
            // On the platform's bridge network a service is reached by its container name, which is its service name.
            var address = yaml.Scalar(map, "address", at) is { Length: > 0 } given ? given : defaultAddress ?? name ?? "";
            // A defaulted address comes from the name, whose own problem is already reported.
            if (Child(map, "address") is { } addressNode && Uri.CheckHostName(address) == UriHostNameType.Unknown)
            {
                yaml.Problem(addressNode, $"{at}.address", $"expected an IP address or host name, found '{address}'");
            }

            var port = yaml.Port(map, "port", at, required: true) ?? 0;
            var protocol = yaml.Scalar(map, "protocol", at) ?? "http";
            var known = protocol is "http" or "http2" or "grpc" or "tcp";
            if (!known)
            {
                yaml.Problem(Child(map, "protocol")!, $"{at}.protocol", $"expected http, http2, grpc or tcp, found '{protocol}'");
            }

            var tags = yaml.List(map, "tags", at).Select(t => t.Value).ToImmutableArray();
            return (address, port, known ? Enum.Parse<ServiceProtocol>(protocol, ignoreCase: true) : ServiceProtocol.Http, tags);
        }

        private CheckSpec? Check(YamlNode node, string at)
        {
            if (yaml.Mapping(node, at, "http: /health or tcp: true, interval: 10s") is not { } map)
            {
                return null;
            }

            var http = yaml.Scalar(map, "http", at);
            var tcp = yaml.Bool(map, "tcp", at) == true;
            if ((http is null) == !tcp)
            {
                yaml.Problem(map, at, "expected exactly one of 'http: /path' or 'tcp: true'");
            }

            if (http is not null && !http.StartsWith('/'))
            {
                yaml.Problem(Child(map, "http")!, $"{at}.http", $"expected a path starting with '/', found '{http}'");
            }

            return new CheckSpec(http, Interval(map, at), Timeout(map, at),
                yaml.Duration(map, "deregister_critical_after", at, YamlNodeReader.Unbounded));
        }

        // The same bounds as a registration's (the preload registers these): a value beyond them could never run.
        private TimeSpan Interval(YamlMappingNode map, string at) => yaml.Duration(map, "interval", at, Registry.CheckRules.MaximumInterval) ?? DefaultInterval;

        private TimeSpan Timeout(YamlMappingNode map, string at) => yaml.Duration(map, "timeout", at, Registry.CheckRules.MaximumTimeout) ?? DefaultTimeout;

        private MeshDefinition? Mesh(YamlNode node, string at)
        {
            if (yaml.Mapping(node, at, "public_port: ..., upstreams: [...], admin_port?, prometheus_port?, ready_port?") is not { } map)
            {
                return null;
            }

            yaml.UnknownKeys(map, at, MeshKeys);
            var publicPort = yaml.Port(map, "public_port", at, required: true) ?? 0;
            var upstreams = ImmutableArray.CreateBuilder<UpstreamDefinition>();
            if (Child(map, "upstreams") is YamlSequenceNode list)
            {
                for (var i = 0; i < list.Children.Count; i++)
                {
                    var where = $"{at}.upstreams[{i}]";
                    if (yaml.Mapping(list.Children[i], where, "name: ..., local_bind_port: ...") is { } upstream)
                    {
                        upstreams.Add(new UpstreamDefinition(yaml.Scalar(upstream, "name", where, required: true) ?? "", yaml.Port(upstream, "local_bind_port", where, required: true) ?? 0));
                    }
                }
            }

            foreach (var clash in upstreams.GroupBy(u => u.LocalBindPort).Where(g => g.Count() > 1))
            {
                yaml.Problem(map, $"{at}.upstreams", $"local_bind_port {clash.Key} is used by more than one upstream");
            }

            var admin = yaml.Port(map, "admin_port", at);
            var prometheus = yaml.Port(map, "prometheus_port", at);
            var ready = yaml.Port(map, "ready_port", at);
            // The same rule POST /envoy/configs applies: one sidecar cannot listen twice on a port.
            (string Key, int? Port)[] named = [("public_port", publicPort), ("admin_port", admin), ("prometheus_port", prometheus), ("ready_port", ready)];
            foreach (var (key, port) in named.Where(n => n.Port is not null))
            {
                if (upstreams.Any(u => u.LocalBindPort == port))
                {
                    yaml.Problem(map, $"{at}.upstreams", $"local_bind_port {port} is already the {key}");
                }
            }

            foreach (var clash in named.Where(n => n.Port is not null).GroupBy(n => n.Port).Where(g => g.Count() > 1))
            {
                yaml.Problem(map, at, $"{string.Join(" and ", clash.Select(c => c.Key))} are both {clash.Key}");
            }

            return new MeshDefinition(publicPort, upstreams.ToImmutable(), admin, prometheus, ready);
        }
    }
}
