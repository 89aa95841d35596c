using ServiceMesh.Configuration;

using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Envoy.Policies;

/// <summary>The outcome of reading policies.yaml: the policies, or every problem found (each naming file, line and key).</summary>
internal sealed record PolicyReadResult(MeshPolicies? Policies, IReadOnlyList<string> Problems)
{
    public bool IsValid => Policies is not null && Problems.Count == 0;
}

/// <summary>Reads policies.yaml via YamlDotNet's representation model (AOT-safe, keeps line numbers). Keys:
/// <c>default</c> (allow|deny, for callers no rule names), <c>allow</c> [{from, to}], <c>upstream_defaults</c>
/// (timeouts, health_check, outlier_detection, circuit_breakers, retries, connections, http_connection_manager, tls),
/// <c>upstreams</c> (per-name overrides), <c>access_log</c> (true|false).</summary>
internal static class PolicyFile
{
    public const string FileName = "policies.yaml";

    public static PolicyReadResult Read(string path)
    {
        string text;
        try
        {
            if (!File.Exists(path))
            {
                return new(MeshPolicies.AllowAll, []);
            }

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
        {
            return new(null, [unreadable]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new(MeshPolicies.AllowAll, []);
        }

        var reader = new Reader(fileName);
        var policies = reader.Root(stream.Documents[0].RootNode);
        return reader.Problems.Count == 0 ? new(policies, []) : new(null, reader.Problems);
    }

    private sealed class Reader(string fileName)
    {
        private static readonly string[] RootKeys = ["default", "allow", "upstream_defaults", "upstreams", "access_log"];

        private static readonly YamlField<HealthCheckPolicy>[] HealthCheckFields =
        [
            YamlField.Duration<HealthCheckPolicy>("interval", (c, v) => c with { Interval = v }),
            YamlField.Duration<HealthCheckPolicy>("timeout", (c, v) => c with { Timeout = v }),
            YamlField.Number<HealthCheckPolicy>("unhealthy_threshold", 1, 1000, (c, v) => c with { UnhealthyThreshold = v }),
            YamlField.Number<HealthCheckPolicy>("healthy_threshold", 1, 1000, (c, v) => c with { HealthyThreshold = v }),
            new("http_path", (yaml, node, at, c) => HttpPath(yaml, node, at) is { } path ? c with { HttpPath = path } : c),
        ];

        private static readonly YamlField<OutlierPolicy>[] OutlierFields =
        [
            YamlField.Number<OutlierPolicy>("consecutive_5xx", 1, 1000, (o, v) => o with { Consecutive5xx = v }),
            YamlField.Duration<OutlierPolicy>("interval", (o, v) => o with { Interval = v }),
            YamlField.Duration<OutlierPolicy>("base_ejection_time", (o, v) => o with { BaseEjectionTime = v }),
            YamlField.Number<OutlierPolicy>("max_ejection_percent", 0, 100, (o, v) => o with { MaxEjectionPercent = v }),
        ];

        private static readonly YamlField<CircuitBreakerPolicy>[] BreakerFields =
        [
            YamlField.Number<CircuitBreakerPolicy>("max_connections", 1, 1_000_000, (b, v) => b with { MaxConnections = v }),
            YamlField.Number<CircuitBreakerPolicy>("max_pending_requests", 1, 1_000_000, (b, v) => b with { MaxPendingRequests = v }),
            YamlField.Number<CircuitBreakerPolicy>("max_requests", 1, 1_000_000, (b, v) => b with { MaxRequests = v }),
            YamlField.Number<CircuitBreakerPolicy>("max_retries", 0, 1000, (b, v) => b with { MaxRetries = v }),
        ];

        private static readonly YamlField<UpstreamPolicy>[] UpstreamFields =
        [
            YamlField.Duration<UpstreamPolicy>("connect_timeout", (p, v) => p with { ConnectTimeout = v }),
            YamlField.Duration<UpstreamPolicy>("request_timeout", (p, v) => p with { RequestTimeout = v }),
            YamlField.Section<UpstreamPolicy, HealthCheckPolicy>("health_check", p => p.HealthCheck, (p, v) => p with { HealthCheck = v }, HealthCheckFields),
            YamlField.Section<UpstreamPolicy, OutlierPolicy>("outlier_detection", p => p.Outlier, (p, v) => p with { Outlier = v }, OutlierFields),
            YamlField.Section<UpstreamPolicy, CircuitBreakerPolicy>("circuit_breakers", p => p.CircuitBreakers, (p, v) => p with { CircuitBreakers = v }, BreakerFields),
            .. HardeningFields.Sections,
            RetryPolicyFile.Section,
        ];

        private readonly YamlNodeReader yaml = new(fileName);

        public List<string> Problems => yaml.Problems;

        public MeshPolicies Root(YamlNode root)
        {
            var access = DefaultAccess.Allow;
            var callers = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            var defaults = UpstreamPolicy.Default;
            var accessLog = true;
            var upstreamNodes = new List<(string Name, YamlMappingNode Node, string Key)>();
            foreach (var (key, value) in yaml.Entries(root, ""))
            {
                switch (key)
                {
                    case "default":
                        access = yaml.Scalar(value, key) switch
                        {
                            "allow" => DefaultAccess.Allow,
                            "deny" => DefaultAccess.Deny,
                            var other => yaml.Problem(value, key, $"expected allow (every service of the trust domain may call) or deny, found '{other}'", DefaultAccess.Allow),
                        };
                        break;
                    case "allow":
                        ReadRules(value, callers);
                        break;
                    case "upstream_defaults":
                        defaults = yaml.Section(value, key, defaults, UpstreamFields);
                        if (value is YamlMappingNode section)
                        {
                            RetryPolicyFile.Check(yaml, section, key, defaults);
                        }
                        break;
                    case "access_log":
                        accessLog = yaml.Bool(value, key) ?? accessLog;
                        break;
                    case "upstreams":
                        foreach (var (name, node) in yaml.Entries(value, key))
                        {
                            var at = $"{key}.{name}";
                            if (yaml.IsServiceName(node, at, name) && yaml.Mapping(node, at, "settings for this upstream") is { } mapping)
                            {
                                upstreamNodes.Add((name, mapping, at));
                            }
                        }
                        break;
                    default:
                        yaml.Problem(value, key, YamlNodeReader.UnknownKey(RootKeys));
                        break;
                }
            }
            // Per-upstream values override the defaults as finally read, wherever upstream_defaults appears in the file.
            var upstreams = upstreamNodes.ToDictionary(u => u.Name, u => Upstream(u.Node, u.Key, defaults), StringComparer.Ordinal);
            return new MeshPolicies(access, callers.ToDictionary(c => c.Key, c => (IReadOnlySet<string>)c.Value, StringComparer.Ordinal), defaults, upstreams)
            {
                AccessLog = accessLog,
            };
        }

        private UpstreamPolicy Upstream(YamlMappingNode node, string at, UpstreamPolicy defaults)
        {
            var policy = yaml.Section(node, at, defaults, UpstreamFields);
            RetryPolicyFile.Check(yaml, node, at, policy);
            return policy;
        }

        private void ReadRules(YamlNode node, Dictionary<string, HashSet<string>> callers)
        {
            if (node is not YamlSequenceNode rules)
            {
                yaml.Problem(node, "allow", "expected a list of rules (- from: <service>, to: [<service>, ...])");
                return;
            }
            for (var i = 0; i < rules.Children.Count; i++)
            {
                var path = $"allow[{i}]";
                string? from = null;
                var targets = new List<string>();
                foreach (var (key, value) in yaml.Entries(rules.Children[i], path))
                {
                    if (key == "from")
                    {
                        from = yaml.Scalar(value, $"{path}.from") is { } f && yaml.IsServiceName(value, $"{path}.from", f) ? f : null;
                    }
                    else if (key == "to")
                    {
                        targets.AddRange(yaml.List(value, $"{path}.to").Where(t => yaml.IsServiceName(t.Node, $"{path}.to", t.Value)).Select(t => t.Value));
                    }
                    else
                    {
                        yaml.Problem(value, $"{path}.{key}", YamlNodeReader.UnknownKey(["from", "to"]));
                    }
                }
                if (from is null)
                {
                    if (rules.Children[i] is YamlMappingNode m && YamlNodeReader.Child(m, "from") is null)
                    {
                        yaml.Problem(rules.Children[i], path, "missing 'from' (the calling service)");
                    }

                    continue;
                }
                foreach (var target in targets)
                {
                    if (!callers.TryGetValue(target, out var set))
                    {
                        callers[target] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(from);
                }
            }
        }

        private static string? HttpPath(YamlNodeReader yaml, YamlNode node, string key)
        {
            if (yaml.Scalar(node, key) is not { } text)
            {
                return null;
            }

            if (text.StartsWith('/') && !text.Any(char.IsWhiteSpace))
            {
                return text;
            }

            return yaml.Problem<string?>(node, key, $"expected an absolute URL path such as /health, found '{text}'", null);
        }
    }
}
