using System.Collections.Immutable;
using System.Globalization;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using ServiceMesh.Configuration;

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
            return (ServiceDefinitions.Empty, []); // no platform preload: services register at run time
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
        var problems = new List<string>();
        if (YamlProblems.TryLoad(path, text, out var stream) is { } unreadable)
            return (ServiceDefinitions.Empty, [unreadable]);
        var reader = new Reader(path, problems, defaultAddress: defaultAddress);
        var services = ImmutableArray.CreateBuilder<ServiceDefinition>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            return (new ServiceDefinitions([], path), []);
        if (stream.Documents[0].RootNode is YamlMappingNode earlier && Child(earlier, "services") is YamlMappingNode earlierServices)
            return ParseEarlier(path, earlier, earlierServices, environment ?? new Dictionary<string, string?>(), defaultAddress);
        if (stream.Documents[0].RootNode is not YamlMappingNode root || Child(root, "services") is not YamlSequenceNode list)
            return (ServiceDefinitions.Empty, [YamlProblems.At(path, 1, "services", "expected a list of services (services: [- name: ..., port: ...])")]);
        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value != "services"))
            problems.Add(YamlProblems.At(path, key.Start.Line, key.Value ?? "", "unknown key (expected only 'services')"));
        for (var i = 0; i < list.Children.Count; i++)
            if (reader.Service(list.Children[i], $"services[{i}]") is { } service)
                services.Add(service);
        return Validated(path, services.ToImmutable(), problems);
    }

    private static (ServiceDefinitions Definitions, IReadOnlyList<string> Problems) Validated(string path, ImmutableArray<ServiceDefinition> services, List<string> problems)
    {
        foreach (var duplicate in services.GroupBy(s => s.Name).Where(g => g.Count() > 1))
            problems.Add(YamlProblems.At(path, duplicate.Last().Line, "services[].name", $"'{duplicate.Key}' is listed more than once"));
        foreach (var service in services)
            foreach (var upstream in service.Mesh?.Upstreams ?? [])
                if (!services.Any(s => s.Name == upstream.Name))
                    problems.Add(YamlProblems.At(path, service.Line, $"{service.Name}.mesh.upstreams", $"'{upstream.Name}' is not a service in this file"));
        return problems.Count == 0 ? (new ServiceDefinitions(services, path), problems) : (ServiceDefinitions.Empty, problems);
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private sealed partial class Reader(string path, List<string> problems, Func<string?, string?>? resolve = null, string? defaultAddress = null)
    {
        private static readonly HashSet<string> ServiceKeys = ["name", "address", "port", "protocol", "tags", "check", "mesh"];

        public ServiceDefinition? Service(YamlNode node, string at)
        {
            if (node is not YamlMappingNode map)
                return Fail<ServiceDefinition>(node, at, "expected a mapping (name: ..., port: ...)");
            foreach (var key in map.Children.Keys.OfType<YamlScalarNode>().Where(k => !ServiceKeys.Contains(k.Value ?? "")))
                Problem(key, $"{at}.{key.Value}", $"unknown key (known: {string.Join(", ", ServiceKeys)})");
            var before = problems.Count;
            var name = Scalar(map, "name", at, required: true);
            if (name is not null && !ServiceName.IsValid(name, out _))
                Problem(Child(map, "name")!, $"{at}.name", $"expected {ServiceName.Rule}, found '{name}'");
            var (address, port, protocol, tags) = Endpoint(map, at, name);
            var check = Child(map, "check") is { } c ? Check(c, $"{at}.check") : null;
            var mesh = Child(map, "mesh") is { } m ? Mesh(m, $"{at}.mesh") : null;
            if (problems.Count > before)
                return null;
            return new ServiceDefinition(name!, address, port, protocol, tags, check, mesh, (int)map.Start.Line);
        }

        /// <summary>Address, port, protocol and tags, the same in both formats of the file.</summary>
        private (string Address, int Port, ServiceProtocol Protocol, ImmutableArray<string> Tags) Endpoint(YamlMappingNode map, string at, string? name)
        {
            // On the platform's bridge network a service is reached by its container name, which is its service name.
            var address = Scalar(map, "address", at) is { Length: > 0 } given ? given : defaultAddress ?? name ?? "";
            // A defaulted address comes from the name, whose own problem is already reported.
            if (Child(map, "address") is { } addressNode && Uri.CheckHostName(address) == UriHostNameType.Unknown)
                Problem(addressNode, $"{at}.address", $"expected an IP address or host name, found '{address}'");
            var port = Port(map, "port", at, required: true);
            var protocol = Scalar(map, "protocol", at) ?? "http";
            if (protocol is not ("http" or "tcp"))
                Problem(Child(map, "protocol")!, $"{at}.protocol", $"expected http or tcp, found '{protocol}'");
            var tags = Child(map, "tags") is YamlSequenceNode t ? t.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToImmutableArray() : [];
            return (address, port, protocol == "tcp" ? ServiceProtocol.Tcp : ServiceProtocol.Http, tags);
        }

        private CheckSpec? Check(YamlNode node, string at)
        {
            if (node is not YamlMappingNode map)
                return Fail<CheckSpec>(node, at, "expected a mapping (http: /health or tcp: true, interval: 10s)");
            var http = Scalar(map, "http", at);
            var tcp = Scalar(map, "tcp", at);
            if ((http is null) == (tcp is not "true"))
                Problem(map, at, "expected exactly one of 'http: /path' or 'tcp: true'");
            if (http is not null && !http.StartsWith('/'))
                Problem(Child(map, "http")!, $"{at}.http", $"expected a path starting with '/', found '{http}'");
            return new CheckSpec(http, Duration(map, "interval", at, Registry.CheckRules.MaximumInterval) ?? DefaultInterval,
                Duration(map, "timeout", at, Registry.CheckRules.MaximumTimeout) ?? DefaultTimeout, Duration(map, "deregister_critical_after", at));
        }

        private MeshDefinition? Mesh(YamlNode node, string at)
        {
            if (node is not YamlMappingNode map)
                return Fail<MeshDefinition>(node, at, "expected a mapping (public_port: ..., upstreams: [...])");
            var publicPort = Port(map, "public_port", at, required: true);
            var upstreams = ImmutableArray.CreateBuilder<UpstreamDefinition>();
            if (Child(map, "upstreams") is YamlSequenceNode list)
                for (var i = 0; i < list.Children.Count; i++)
                {
                    var where = $"{at}.upstreams[{i}]";
                    if (list.Children[i] is not YamlMappingNode upstream) { Problem(list.Children[i], where, "expected a mapping (name: ..., local_bind_port: ...)"); continue; }
                    upstreams.Add(new UpstreamDefinition(Scalar(upstream, "name", where, required: true) ?? "", Port(upstream, "local_bind_port", where, required: true)));
                }
            foreach (var clash in upstreams.GroupBy(u => u.LocalBindPort).Where(g => g.Count() > 1))
                Problem(map, $"{at}.upstreams", $"local_bind_port {clash.Key} is used by more than one upstream");
            // The same rule POST /envoy/configs applies: one sidecar cannot listen twice on a port.
            if (upstreams.Any(u => u.LocalBindPort == publicPort))
                Problem(map, $"{at}.upstreams", $"local_bind_port {publicPort} is already the public_port");
            return new MeshDefinition(publicPort, upstreams.ToImmutable());
        }

        private string? Scalar(YamlMappingNode map, string key, string at, bool required = false)
        {
            switch (Child(map, key))
            {
                case null when required: Problem(map, $"{at}.{key}", "is required"); return null;
                case null: return null;
                case YamlScalarNode scalar: return resolve is null ? scalar.Value : resolve(scalar.Value);
                case var other: Problem(other, $"{at}.{key}", "expected a single value"); return null;
            }
        }

        private int Port(YamlMappingNode map, string key, string at, bool required = false)
        {
            var text = Scalar(map, key, at, required);
            if (text is null)
                return 0;
            if (PortNumber.TryParse(text, out var port))
                return port;
            Problem(Child(map, key)!, $"{at}.{key}", $"expected {PortNumber.Rule}, found '{text}'");
            return 0;
        }

        // The same bounds as a registration's (the preload registers these): a value beyond them could never run.
        private TimeSpan? Duration(YamlMappingNode map, string key, string at, TimeSpan? max = null)
        {
            var text = Scalar(map, key, at);
            if (text is null)
                return null;
            if (GoDuration.TryParse(text, out var duration) && duration > TimeSpan.Zero && (max is null || duration <= max))
                return duration;
            Problem(Child(map, key)!, $"{at}.{key}", $"expected a duration such as 10s or 1m30s{(max is { } m ? $" of at most {GoDuration.Format(m)}" : "")}, found '{text}'");
            return null;
        }

        private T? Fail<T>(YamlNode node, string at, string message) where T : class
        {
            Problem(node, at, message);
            return null;
        }

        private void Problem(YamlNode node, string key, string message) =>
            problems.Add(YamlProblems.At(path, node.Start.Line, key, message));
    }
}
