using System.Globalization;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;

using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Envoy.Policies;

/// <summary>The outcome of reading policies.yaml: the policies, or every problem found (each naming file, line and key).</summary>
internal sealed record PolicyReadResult(MeshPolicies? Policies, IReadOnlyList<string> Problems)
{
    public bool IsValid => Policies is not null && Problems.Count == 0;
}

/// <summary>
/// Reads policies.yaml through YamlDotNet's representation model (no reflection, so AOT-safe), which keeps line
/// numbers for every node. Schema:
/// <code>
/// default: allow | deny          # callers of a service no rule names in 'to' (allow = every service of the trust domain)
/// allow: [{from: a, to: [b, c]}]
/// upstream_defaults: {connect_timeout, request_timeout, health_check: {...}, outlier_detection: {...}, circuit_breakers: {...}}
/// upstreams: {name: {any of the upstream_defaults keys}}
/// </code>
/// </summary>
internal static class PolicyFile
{
    public const string FileName = "policies.yaml";

    public static PolicyReadResult Read(string path)
    {
        string text;
        try
        {
            if (!File.Exists(path))
                return new(MeshPolicies.AllowAll, []);
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(null, [$"{path}: cannot be read: {e.Message}"]);
        }
        return Parse(path, text);
    }

    public static PolicyReadResult Parse(string fileName, string text)
    {
        if (YamlProblems.TryLoad(fileName, text, out var stream) is { } unreadable)
            return new(null, [unreadable]);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            return new(MeshPolicies.AllowAll, []);
        var reader = new Reader(fileName);
        var policies = reader.Root(stream.Documents[0].RootNode);
        return reader.Problems.Count == 0 ? new(policies, []) : new(null, reader.Problems);
    }

    private sealed class Reader(string fileName)
    {
        public List<string> Problems { get; } = [];

        public MeshPolicies Root(YamlNode root)
        {
            var access = DefaultAccess.Allow;
            var callers = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            var defaults = UpstreamPolicy.Default;
            var upstreamNodes = new List<(string Name, YamlMappingNode Node, string Key)>();
            foreach (var (key, value) in Entries(root, ""))
            {
                switch (key)
                {
                    case "default":
                        access = Scalar(value, key) switch
                        {
                            "allow" => DefaultAccess.Allow,
                            "deny" => DefaultAccess.Deny,
                            var other => Problem(value, key, $"expected allow (every service of the trust domain may call) or deny, found '{other}'", DefaultAccess.Allow),
                        };
                        break;
                    case "allow":
                        ReadRules(value, callers);
                        break;
                    case "upstream_defaults":
                        defaults = Upstream(value, key, defaults);
                        break;
                    case "upstreams":
                        foreach (var (name, node) in Entries(value, key))
                        {
                            if (!ValidName(node, $"{key}.{name}", name))
                                continue;
                            if (node is YamlMappingNode mapping)
                                upstreamNodes.Add((name, mapping, $"{key}.{name}"));
                            else
                                Problem(node, $"{key}.{name}", "expected a mapping of settings for this upstream", 0);
                        }
                        break;
                    default:
                        Problem(value, key, "unknown key (known: default, allow, upstream_defaults, upstreams)", 0);
                        break;
                }
            }
            // Per-upstream values override the defaults as finally read, wherever upstream_defaults appears in the file.
            var upstreams = upstreamNodes.ToDictionary(u => u.Name, u => Upstream(u.Node, u.Key, defaults), StringComparer.Ordinal);
            return new MeshPolicies(access, callers.ToDictionary(c => c.Key, c => (IReadOnlySet<string>)c.Value, StringComparer.Ordinal), defaults, upstreams);
        }

        private void ReadRules(YamlNode node, Dictionary<string, HashSet<string>> callers)
        {
            if (node is not YamlSequenceNode rules)
            {
                Problem(node, "allow", "expected a list of rules (- from: <service>, to: [<service>, ...])", 0);
                return;
            }
            for (var i = 0; i < rules.Children.Count; i++)
            {
                var path = $"allow[{i}]";
                string? from = null;
                var targets = new List<string>();
                foreach (var (key, value) in Entries(rules.Children[i], path))
                {
                    if (key == "from")
                        from = Scalar(value, $"{path}.from") is { } f && ValidName(value, $"{path}.from", f) ? f : null;
                    else if (key == "to")
                        targets.AddRange(Names(value, $"{path}.to"));
                    else
                        Problem(value, $"{path}.{key}", "unknown key (known: from, to)", 0);
                }
                if (from is null)
                {
                    if (rules.Children[i] is YamlMappingNode m && !m.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == "from"))
                        Problem(rules.Children[i], path, "missing 'from' (the calling service)", 0);
                    continue;
                }
                foreach (var target in targets)
                {
                    if (!callers.TryGetValue(target, out var set))
                        callers[target] = set = new HashSet<string>(StringComparer.Ordinal);
                    set.Add(from);
                }
            }
        }

        private List<string> Names(YamlNode node, string path)
        {
            var names = new List<string>();
            IEnumerable<YamlNode> items = node is YamlSequenceNode sequence ? sequence.Children : [node];
            foreach (var item in items)
                if (Scalar(item, path) is { } name && ValidName(item, path, name))
                    names.Add(name);
            return names;
        }

        private UpstreamPolicy Upstream(YamlNode node, string path, UpstreamPolicy baseline)
        {
            var policy = baseline;
            foreach (var (key, value) in Entries(node, path))
            {
                var at = $"{path}.{key}";
                policy = key switch
                {
                    "connect_timeout" => policy with { ConnectTimeout = Duration(value, at) ?? policy.ConnectTimeout },
                    "request_timeout" => policy with { RequestTimeout = Duration(value, at) ?? policy.RequestTimeout },
                    "health_check" => policy with { HealthCheck = HealthCheck(value, at, policy.HealthCheck) },
                    "outlier_detection" => policy with { Outlier = Outlier(value, at, policy.Outlier) },
                    "circuit_breakers" => policy with { CircuitBreakers = Breakers(value, at, policy.CircuitBreakers) },
                    _ => Problem(value, at, "unknown key (known: connect_timeout, request_timeout, health_check, outlier_detection, circuit_breakers)", policy),
                };
            }
            return policy;
        }

        private HealthCheckPolicy HealthCheck(YamlNode node, string path, HealthCheckPolicy check)
        {
            foreach (var (key, value) in Entries(node, path))
            {
                var at = $"{path}.{key}";
                check = key switch
                {
                    "interval" => check with { Interval = Duration(value, at) ?? check.Interval },
                    "timeout" => check with { Timeout = Duration(value, at) ?? check.Timeout },
                    "unhealthy_threshold" => check with { UnhealthyThreshold = Number(value, at, 1, 1000) ?? check.UnhealthyThreshold },
                    "healthy_threshold" => check with { HealthyThreshold = Number(value, at, 1, 1000) ?? check.HealthyThreshold },
                    "http_path" => check with { HttpPath = HttpPath(value, at) ?? check.HttpPath },
                    _ => Problem(value, at, "unknown key (known: interval, timeout, unhealthy_threshold, healthy_threshold, http_path)", check),
                };
            }
            return check;
        }

        private OutlierPolicy Outlier(YamlNode node, string path, OutlierPolicy outlier)
        {
            foreach (var (key, value) in Entries(node, path))
            {
                var at = $"{path}.{key}";
                outlier = key switch
                {
                    "consecutive_5xx" => outlier with { Consecutive5xx = Number(value, at, 1, 1000) ?? outlier.Consecutive5xx },
                    "interval" => outlier with { Interval = Duration(value, at) ?? outlier.Interval },
                    "base_ejection_time" => outlier with { BaseEjectionTime = Duration(value, at) ?? outlier.BaseEjectionTime },
                    "max_ejection_percent" => outlier with { MaxEjectionPercent = Number(value, at, 0, 100) ?? outlier.MaxEjectionPercent },
                    _ => Problem(value, at, "unknown key (known: consecutive_5xx, interval, base_ejection_time, max_ejection_percent)", outlier),
                };
            }
            return outlier;
        }

        private CircuitBreakerPolicy Breakers(YamlNode node, string path, CircuitBreakerPolicy breakers)
        {
            foreach (var (key, value) in Entries(node, path))
            {
                var at = $"{path}.{key}";
                breakers = key switch
                {
                    "max_connections" => breakers with { MaxConnections = Number(value, at, 1, 1_000_000) ?? breakers.MaxConnections },
                    "max_pending_requests" => breakers with { MaxPendingRequests = Number(value, at, 1, 1_000_000) ?? breakers.MaxPendingRequests },
                    "max_requests" => breakers with { MaxRequests = Number(value, at, 1, 1_000_000) ?? breakers.MaxRequests },
                    "max_retries" => breakers with { MaxRetries = Number(value, at, 0, 1000) ?? breakers.MaxRetries },
                    _ => Problem(value, at, "unknown key (known: max_connections, max_pending_requests, max_requests, max_retries)", breakers),
                };
            }
            return breakers;
        }

        private IEnumerable<(string Key, YamlNode Value)> Entries(YamlNode node, string path)
        {
            if (node is not YamlMappingNode mapping)
            {
                Problem(node, path.Length == 0 ? "(top level)" : path, "expected a mapping (key: value)", 0);
                yield break;
            }
            foreach (var (key, value) in mapping.Children)
            {
                if (key is YamlScalarNode { Value: { } name })
                    yield return (name, value);
                else
                    Problem(key, path, "expected a plain key", 0);
            }
        }

        private string? Scalar(YamlNode node, string key)
        {
            if (node is YamlScalarNode { Value: { } value })
                return value;
            Problem(node, key, "expected a single value", 0);
            return null;
        }

        private bool ValidName(YamlNode node, string key, string name)
        {
            if (ServiceName.IsValid(name, out _))
                return true;
            Problem(node, key, $"'{name}' is not a service name: expected {ServiceName.Rule}", 0);
            return false;
        }

        // The same Go duration text as services.yaml and Consul's API (250ms, 5s, 1m30s), within what Envoy needs here.
        private TimeSpan? Duration(YamlNode node, string key)
        {
            if (Scalar(node, key) is not { } text)
                return null;
            if (GoDuration.TryParse(text, out var duration) && duration >= TimeSpan.FromMilliseconds(1) && duration <= TimeSpan.FromDays(1))
                return duration;
            return Problem<TimeSpan?>(node, key, $"expected a duration from 1ms to 24h such as 250ms, 5s or 1m30s, found '{text}'", null);
        }

        private int? Number(YamlNode node, string key, int min, int max)
        {
            if (Scalar(node, key) is not { } text)
                return null;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
                return value;
            return Problem<int?>(node, key, $"expected a whole number from {min} to {max}, found '{text}'", null);
        }

        private string? HttpPath(YamlNode node, string key)
        {
            if (Scalar(node, key) is not { } text)
                return null;
            if (text.StartsWith('/') && !text.Any(char.IsWhiteSpace))
                return text;
            return Problem<string?>(node, key, $"expected an absolute URL path such as /health, found '{text}'", null);
        }

        private T Problem<T>(YamlNode node, string key, string message, T fallback)
        {
            Problems.Add(YamlProblems.At(fileName, node.Start.Line, key, message));
            return fallback;
        }
    }
}
