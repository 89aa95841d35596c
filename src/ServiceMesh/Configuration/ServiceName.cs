using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace ServiceMesh.Configuration;

/// <summary>
/// A mesh service name: one DNS label. It becomes a file name, a DNS SAN and a SPIFFE path segment, so anything
/// else ("../x", spaces, upper case, non-ASCII) is refused before a byte is written. One rule for the Lucid API,
/// services.yaml, certificates and Envoy; only the Consul-compatible API keeps Consul's own, looser rule.
/// </summary>
internal static partial class ServiceName
{
    public const string Rule =
        "a DNS label: 1 to 63 characters, lowercase letters a-z, digits and '-', starting and ending with a letter or digit ([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)";

    /// <summary>"ca" would be written as ca.crt/ca.key, the CA's own files.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal) { "ca" };

    public static bool IsValid([NotNullWhen(true)] string? name, [NotNullWhen(false)] out string? problem)
    {
        if (name is null || !Label().IsMatch(name))
        {
            var shown = name is null ? "(none)" : name.Length > 80 ? $"'{name[..80]}...' ({name.Length} characters)" : $"'{name}'";
            problem = $"service name {shown} is not valid: expected {Rule}";
            return false;
        }
        if (Reserved.Contains(name))
        {
            problem = $"service name '{name}' is reserved: its files would replace the CA's (ca.crt, ca.key)";
            return false;
        }
        problem = null;
        return true;
    }

    /// <summary>
    /// Valid names that may become a leaf identity, except "service-mesh" (the 8501 server's SPIFFE ID) and "localhost"
    /// (its DNS name): either would let its holder pose as the server. Both stay valid for discovery.
    /// </summary>
    public static bool IsIdentity([NotNullWhen(true)] string? name, [NotNullWhen(false)] out string? problem)
    {
        if (!IsValid(name, out problem))
        {
            return false;
        }

        if (ControlPlaneIdentities.Contains(name))
        {
            problem = $"service name '{name}' is reserved as an identity: the mesh's own server certificate holds it";
            return false;
        }
        return true;
    }

    private static readonly HashSet<string> ControlPlaneIdentities = new(StringComparer.Ordinal) { "service-mesh", "localhost" };

    // \z rather than $: '$' would also accept a trailing newline.
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Label();
}
