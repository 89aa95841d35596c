using System.Text.RegularExpressions;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>
/// What makes an HTTP or TCP check runnable and safe, beyond Consul's own rules: an HTTP token as Method, bounded
/// durations, an explicit opt-in to redirects, and a target inside CHECK_ALLOWED_NETWORKS. Each problem names the field.
/// </summary>
internal static partial class CheckRules
{
    /// <summary>
    /// A probe may wait this long. Consul's default is 10 s; an answer later than minutes is a failure to whoever waits
    /// for it, and every waiting probe holds a connection.
    /// </summary>
    public static readonly TimeSpan MaximumTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Interval and TTL: a health state refreshed less than once a day says nothing about now, and .NET timers stop at
    /// about 49.7 days, so a larger value could never run (it stayed "passing" forever).
    /// </summary>
    public static readonly TimeSpan MaximumInterval = TimeSpan.FromHours(24);

    /// <summary>Consul sends GET when Method is empty (agent/checks: <c>if method == "" { method = "GET" }</c>).</summary>
    public static string MethodOf(AgentServiceCheck check) => string.IsNullOrEmpty(check.Method) ? "GET" : check.Method;

    /// <summary>Only an explicit FollowRedirects: true follows; Consul's DisableRedirects: true is the default here already.</summary>
    public static bool FollowsRedirects(AgentServiceCheck check) => check.FollowRedirects == true;

    public static string? Problem(AgentServiceCheck check, AllowedNetworks networks)
    {
        if (check.Http is not null && !string.IsNullOrEmpty(check.Method) && !HttpToken().IsMatch(check.Method))
        {
            return $"Method '{check.Method}' must be an HTTP method token (letters, digits and !#$%&'*+-.^_`|~, no spaces), e.g. GET or HEAD";
        }

        if (check.FollowRedirects == true && check.DisableRedirects == true)
        {
            return "FollowRedirects and DisableRedirects contradict each other: set one";
        }

        if ((check.FollowRedirects is not null || check.DisableRedirects is not null) && check.Http is null)
        {
            return "FollowRedirects and DisableRedirects apply to HTTP checks only";
        }

        if (GoDuration.TryParse(check.Timeout, out var timeout) && timeout > MaximumTimeout)
        {
            return $"Timeout '{check.Timeout}' must be at most {GoDuration.Format(MaximumTimeout)}";
        }

        if (check.Ttl is null && GoDuration.TryParse(check.Interval, out var interval) && interval > MaximumInterval)
        {
            return $"Interval '{check.Interval}' must be at most {GoDuration.Format(MaximumInterval)}";
        }

        if (GoDuration.TryParse(check.Ttl, out var ttl) && ttl > MaximumInterval)
        {
            return $"TTL '{check.Ttl}' must be at most {GoDuration.Format(MaximumInterval)}";
        }

        if (check.Http is { } http && Uri.TryCreate(http, UriKind.Absolute, out var uri))
        {
            return CheckTargets.Refusal("HTTP", CheckTargets.Redact(http), uri.Host, networks);
        }

        if (check.Tcp is { } tcp)
        {
            return CheckTargets.Refusal("TCP", tcp, tcp[..tcp.LastIndexOf(':')], networks);
        }

        return null;
    }

    // RFC 9110 5.6.2: token = 1*tchar.
    [GeneratedRegex(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\z")]
    private static partial Regex HttpToken();
}
