using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>Validates a Consul registration and fills in what Consul would (ID = Name, check IDs and names).</summary>
internal static partial class RegistrationRules
{
    /// <summary>Consul accepts shorter intervals, but a check every few milliseconds is a mistake, not a wish.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The normalised registration and its checks, or the reason it is rejected (Consul answers 400 with it).</summary>
    /// <param name="checkNetworks">Where checks may connect; null at log replay, so an acknowledged registration is never
    /// dropped at restart (a check it can no longer run reports critical instead).</param>
    public static (AgentServiceRegistration? Registration, ImmutableArray<CheckDefinition> Checks, string? Error) Normalize(
        AgentServiceRegistration? request, AllowedNetworks? checkNetworks)
    {
        if (request is null)
        {
            return (null, [], "Request decode failed: a JSON service definition is required");
        }

        if (!ServiceName().IsMatch(request.Name ?? ""))
        {
            return Fail("Name is required: letters, digits, '_', '.' and '-', at most 255 characters, starting with a letter, digit or '_' "
                + "(only a DNS label can also be a mesh identity)");
        }

        if (request.Port is < 0 or > 65535)
        {
            return Fail($"Port {request.Port} is out of range (0-65535)");
        }

        if (request.Weights is { Passing: < 1 } or { Warning: < 0 })
        {
            return Fail($"Weights.Passing must be at least 1 and Weights.Warning at least 0 (got {request.Weights.Passing} and {request.Weights.Warning})");
        }

        if (request.Check is not null && request.Checks is { Count: > 0 })
        {
            return Fail("Use Check or Checks, not both");
        }

        var id = string.IsNullOrWhiteSpace(request.Id) ? request.Name! : request.Id.Trim();
        if (id.Length > 256 || id.Contains('/', StringComparison.Ordinal))
        {
            return Fail("ID must be at most 256 characters and contain no '/'");
        }

        if (request.Meta?.Any(m => m.Key.Length is 0 or > 128 || m.Value.Length > 512) == true)
        {
            return Fail("Invalid Service Meta: keys of 1-128 and values of up to 512 characters");
        }

        var definitions = request.Checks is { Count: > 0 } many ? many : request.Check is { } one ? [one] : [];
        var checks = ImmutableArray.CreateBuilder<CheckDefinition>();
        for (var i = 0; i < definitions.Count; i++)
        {
            var checkId = definitions[i].CheckId ?? (definitions.Count == 1 ? $"service:{id}" : string.Create(CultureInfo.InvariantCulture, $"service:{id}:{i + 1}"));
            var (check, error) = Check(definitions[i], checkId, request.Name!, checkNetworks);
            if (error is not null)
            {
                return Fail($"Check '{checkId}': {error}");
            }

            checks.Add(check!);
        }
        if (checks.Select(c => c.CheckId).Distinct(StringComparer.Ordinal).Count() != checks.Count)
        {
            return Fail("Check IDs must be distinct");
        }

        var normalized = request with
        {
            Id = id,
            Address = request.Address?.Trim() ?? "",
            Tags = request.Tags?.Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToArray() ?? [],
            Meta = request.Meta ?? new Dictionary<string, string>(),
            Check = null,
            Checks = definitions.Count == 0 ? null : definitions.Select((d, i) => d with { CheckId = checks[i].CheckId }).ToArray(),
        };
        return (normalized, checks.ToImmutable(), null);

        static (AgentServiceRegistration?, ImmutableArray<CheckDefinition>, string?) Fail(string error) => (null, [], error);
    }

    internal static (CheckDefinition? Check, string? Error) Check(AgentServiceCheck check, string checkId, string serviceName, AllowedNetworks? networks)
    {
        var kinds = new[] { check.Http, check.Tcp, check.Ttl }.Count(k => !string.IsNullOrWhiteSpace(k));
        if (kinds != 1)
        {
            return (null, "exactly one of HTTP, TCP or TTL is required (script, gRPC and Docker checks are not supported here)");
        }

        if (check.Http is { } http && (!Uri.TryCreate(http, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            return (null, $"HTTP '{CheckTargets.Redact(http)}' must be an absolute http:// or https:// URL");
        }

        if (check.Tcp is { } tcp && !IsTcpTarget(tcp))
        {
            return (null, $"TCP '{tcp}' must be host:port with {PortNumber.Rule}");
        }

        TimeSpan? ttl = null;
        if (check.Ttl is not null)
        {
            if (!GoDuration.TryParse(check.Ttl, out var parsedTtl) || parsedTtl <= TimeSpan.Zero)
            {
                return (null, $"TTL '{check.Ttl}' must be a positive duration such as 30s");
            }

            ttl = parsedTtl;
        }
        var interval = TimeSpan.Zero;
        if (check.Ttl is null && (!GoDuration.TryParse(check.Interval, out interval) || interval < MinimumInterval))
        {
            return (null, $"Interval '{check.Interval}' must be a duration of at least {GoDuration.Format(MinimumInterval)} for HTTP and TCP checks");
        }

        var timeout = DefaultTimeout;
        if (check.Timeout is not null && (!GoDuration.TryParse(check.Timeout, out timeout) || timeout <= TimeSpan.Zero))
        {
            return (null, $"Timeout '{check.Timeout}' must be a positive duration");
        }

        TimeSpan? deregister = null;
        if (check.DeregisterCriticalServiceAfter is not null)
        {
            if (!GoDuration.TryParse(check.DeregisterCriticalServiceAfter, out var after) || after <= TimeSpan.Zero)
            {
                return (null, $"DeregisterCriticalServiceAfter '{check.DeregisterCriticalServiceAfter}' must be a positive duration");
            }

            deregister = after;
        }
        if (networks is not null && CheckRules.Problem(check, networks) is { } problem)
        {
            return (null, problem);
        }

        if (check.Status is not null && !HealthStatuses.IsKnown(check.Status))
        {
            return (null, $"Status '{check.Status}' must be passing, warning or critical");
        }

        return (new CheckDefinition(checkId, check.Name ?? $"Service '{serviceName}' check", check.Http, CheckRules.MethodOf(check), check.Tcp, ttl,
            interval, timeout, deregister, check.Status ?? HealthStatuses.Critical, check.Notes ?? "", CheckRules.FollowsRedirects(check)), null);
    }

    // Consul's names, like node_exporter or web.v2, for discovery; the mesh gate (ServiceName.IsIdentity) stays a DNS label.
    // \z, not $: "$" also matches before a final newline, which would let "web\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}\z")]
    private static partial Regex ServiceName();

    private static bool IsTcpTarget(string target)
    {
        var match = TcpTarget().Match(target);
        return match.Success && PortNumber.TryParse(match.Groups["port"].Value, out _);
    }

    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?<port>\d{1,5})\z")]
    private static partial Regex TcpTarget();
}
