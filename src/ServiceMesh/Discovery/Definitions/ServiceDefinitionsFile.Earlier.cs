using System.Collections.Immutable;
using ServiceMesh.Configuration;
using YamlDotNet.RepresentationModel;
using static ServiceMesh.Configuration.YamlNodeReader;

namespace ServiceMesh.Discovery.Definitions;

/// <summary>
/// The earlier image's services.yaml (<c>services:</c> map, <c>health_check</c>, <c>${VAR:-default}</c>): each entry
/// becomes today's definition, same validation; meaningless keys (metadata, ...) are named in one warning.
/// </summary>
internal static partial class ServiceDefinitionsFile
{
    private static readonly HashSet<string> EarlierServiceKeys = ["name", "address", "port", "protocol", "tags", "health_check"];

    private static (ServiceDefinitions Definitions, IReadOnlyList<string> Problems) ParseEarlier(
        string path, YamlMappingNode root, YamlMappingNode entries, IReadOnlyDictionary<string, string?> environment, string? defaultAddress)
    {
        var ignored = new List<string>();
        var yaml = new YamlNodeReader(path, value => Placeholders.Resolve(value, environment).Trim());
        var reader = new Reader(yaml, defaultAddress);
        ignored.AddRange(root.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value != "services").Select(k => k.Value ?? ""));
        var services = ImmutableArray.CreateBuilder<ServiceDefinition>();
        foreach (var (keyNode, node) in entries.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (node is YamlMappingNode map)
            {
                ignored.AddRange(map.Children.Keys.OfType<YamlScalarNode>().Where(k => !EarlierServiceKeys.Contains(k.Value ?? "")).Select(k => $"services.{key}.{k.Value}"));
            }

            if (reader.EarlierService(key, node, $"services.{key}") is { } service)
            {
                services.Add(service);
            }
        }
        var (definitions, found) = Validated(path, services.ToImmutable(), yaml);
        return (definitions with
        {
            Warning = $"{path} is the earlier image's format: read {definitions.Services.Length} service(s) ({string.Join(", ", definitions.Services.Select(s => s.Name))}); "
                + $"ignored (no meaning here): {(ignored.Count == 0 ? "nothing" : string.Join(", ", ignored))}",
        }, found);
    }

    private sealed partial class Reader
    {
        public ServiceDefinition? EarlierService(string key, YamlNode node, string at)
        {
            if (yaml.Mapping(node, at, "name: ..., address: ..., port: ...") is not { } map)
            {
                return null;
            }

            var before = yaml.Problems.Count;
            var name = yaml.Scalar(map, "name", at) is { Length: > 0 } named ? named : key;
            yaml.IsServiceName(Child(map, "name") ?? map, $"{at}.name", name);
            var (address, port, protocol, tags) = Endpoint(map, at, name);
            var check = Child(map, "health_check") is { } c ? EarlierCheck(c, $"{at}.health_check") : null;
            if (yaml.Problems.Count > before)
            {
                return null;
            }

            return new ServiceDefinition(name, address, port, protocol, tags, check, null, (int)map.Start.Line);
        }

        private CheckSpec? EarlierCheck(YamlNode node, string at)
        {
            if (yaml.Mapping(node, at, "type: http or tcp, path, interval, timeout") is not { } map)
            {
                return null;
            }

            var type = yaml.Scalar(map, "type", at) ?? "http";
            if (type is not ("http" or "tcp"))
            {
                yaml.Problem(Child(map, "type")!, $"{at}.type", $"expected http or tcp, found '{type}'");
            }

            var httpPath = type == "http" ? yaml.Scalar(map, "path", at) is { Length: > 0 } p ? p : "/health" : null;
            if (httpPath is not null && !httpPath.StartsWith('/'))
            {
                yaml.Problem(Child(map, "path")!, $"{at}.path", $"expected a path starting with '/', found '{httpPath}'");
            }

            return new CheckSpec(httpPath, Interval(map, at), Timeout(map, at), null);
        }
    }
}
