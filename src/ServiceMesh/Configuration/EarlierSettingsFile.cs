using System.Net;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Configuration;

/// <summary>
/// The earlier image's service-mesh.yaml (<c>service_mesh:</c>, <c>${VAR:-default}</c> values): known keys are mapped,
/// the rest named in one warning so the file never stops the start. The environment still wins over its values.
/// </summary>
internal static class EarlierSettingsFile
{
    public const string RootKey = "service_mesh";

    /// <summary>Earlier key → today's key. Several earlier keys may feed one setting; the first one present wins.</summary>
    private static readonly (string Earlier, string Today)[] Mapping =
    [
        ("service_mesh.controller.host", "server.host"),
        ("service_mesh.controller.http_port", "server.http_port"),
        ("service_mesh.controller.consul_port", "discovery.embedded.http_port"),
        ("service_mesh.logging.level", "logging.level"),
        ("service_mesh.controller.log_level", "logging.level"),
        ("service_mesh.logging.format", "logging.format"),
        ("service_mesh.discovery.consul.host", "discovery.consul.host"),
        ("service_mesh.discovery.consul.port", "discovery.consul.port"),
        ("service_mesh.discovery.consul.datacenter", "discovery.consul.datacenter"),
        ("service_mesh.discovery.consul_host", "discovery.consul.host"),          // the controller generation's spelling
        ("service_mesh.discovery.consul_port", "discovery.consul.port"),
        ("service_mesh.discovery.consul_datacenter", "discovery.consul.datacenter"),
        ("service_mesh.sidecar.envoy.admin_port", "envoy.admin_port"),
        ("service_mesh.sidecar.envoy.config_path", "paths.envoy_configs"),
        ("service_mesh.security.mtls.cert_validity_days", "certificates.cert_validity_days"),
        ("service_mesh.security.mtls.ca_validity_days", "certificates.ca_validity_days"),
        ("service_mesh.security.mtls.key_size", "certificates.key_size"),
        ("service_mesh.security.certificates.path", "paths.certificates"),
    ];

    /// <summary>True when <paramref name="root"/> is the earlier format (today's file has no <c>service_mesh</c> key).</summary>
    public static bool IsEarlierFormat(YamlNode? root) =>
        root is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode(RootKey));

    public static YamlSettings Read(string path, YamlMappingNode root, IReadOnlyDictionary<string, string?> environment)
    {
        var leaves = new List<(string Key, YamlNode Node)>();
        Flatten(root, "", leaves);
        var values = new Dictionary<string, YamlValue>(StringComparer.Ordinal);
        var used = new List<string>();
        var ignored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, node) in leaves)
        {
            var today = Mapping.Where(m => m.Earlier == key).Select(m => m.Today).FirstOrDefault();
            if (today is null || node is not YamlScalarNode scalar)
            {
                ignored.Add(key);
                continue;
            }
            var value = Placeholders.Resolve(scalar.Value ?? "", environment).Trim();
            // The bind address must be an IP; a hostname in this older file is ignored, not fatal: the default 0.0.0.0 applies.
            if (today == "server.host" && !IPAddress.TryParse(value, out _))
            {
                ignored.Add($"{key} ('{value}' is not an IP address)");
                continue;
            }
            var earlierFirst = Array.FindIndex(Mapping, m => m.Today == today && leaves.Any(l => l.Key == m.Earlier));
            if (Mapping[earlierFirst].Earlier != key || !values.TryAdd(today, new YamlValue(value, (int)scalar.Start.Line, key)))
            {
                ignored.Add($"{key} (already set by {Mapping[earlierFirst].Earlier})");
                continue;
            }
            used.Add($"{key} as {MeshSettings.All.First(s => s.YamlKey == today).EnvironmentName}");
        }
        var warning = $"{path} is the earlier image's format: used {(used.Count == 0 ? "nothing" : string.Join(", ", used))}; "
            + $"ignored (no meaning here): {(ignored.Count == 0 ? "nothing" : string.Join(", ", Compact(root, ignored)))}";
        return new(values, []) { Warning = warning };
    }

    private static void Flatten(YamlMappingNode map, string prefix, List<(string, YamlNode)> leaves)
    {
        foreach (var (keyNode, value) in map.Children)
        {
            var key = prefix + ((keyNode as YamlScalarNode)?.Value ?? "?");
            if (value is YamlMappingNode { Children.Count: > 0 } child)
            {
                Flatten(child, key + ".", leaves);
            }
            else
            {
                leaves.Add((key, value));
            }
        }
    }

    // A mapping none of whose leaves is used is named once ("service_mesh.networking"), not leaf by leaf.
    private static IEnumerable<string> Compact(YamlMappingNode root, HashSet<string> ignored) =>
        Walk(root, "", ignored).Names.Concat(ignored.Where(i => i.Contains(' ', StringComparison.Ordinal)));

    private static (bool All, List<string> Names) Walk(YamlMappingNode map, string prefix, HashSet<string> ignored)
    {
        var names = new List<string>();
        var all = true;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = prefix + ((keyNode as YamlScalarNode)?.Value ?? "?");
            if (value is YamlMappingNode { Children.Count: > 0 } child)
            {
                var (childAll, childNames) = Walk(child, key + ".", ignored);
                all &= childAll;
                if (childAll)
                {
                    names.Add(key);
                }
                else
                {
                    names.AddRange(childNames);
                }
            }
            else if (ignored.Contains(key))
            {
                names.Add(key);
            }
            else
            {
                all = false;
            }
        }
        return (all, names);
    }
}
