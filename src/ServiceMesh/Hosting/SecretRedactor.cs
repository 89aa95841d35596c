using System.Text.RegularExpressions;

namespace ServiceMesh.Hosting;

/// <summary>
/// Takes secrets out of log text, whoever wrote the line: the secrets this process knows (SERVICE_MESH_API_TOKEN,
/// CONSUL_HTTP_TOKEN, URL-encoded too) anywhere, and any token a client presented, wrong ones included, by where it
/// stands (<c>token=</c> query value, <c>X-Consul-Token</c> or <c>Authorization</c> header value, bearer credential).
/// </summary>
internal sealed partial class SecretRedactor
{
    public const string Mask = "[redacted]";

    private readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string?> secrets) =>
        _secrets = [.. secrets.OfType<string>().Where(s => s.Length > 0)
            .SelectMany(s => new[] { s, Uri.EscapeDataString(s) }).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];

    public string Redact(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return Credentials().Replace(text, static m => m.Groups["name"].Value + Mask);
    }

    // Each alternative keeps its name part and replaces the value: query parameters ending in "token" (token=,
    // access_token=), the two token headers as "Name: value" or "Name=value" (quoted or not, Authorization with its
    // scheme kept), and a free-standing "Bearer <credential>" of 8 or more characters (so prose such as "bearer token" stays).
    [GeneratedRegex("""(?<name>token=)[^&\s"'#]+|(?<name>x-consul-token["']?\s*[:=]\s*["']?)[^\s"',;]+|(?<name>authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token)\s+)?)[^\s"',;]+|(?<name>\bbearer\s+)[A-Za-z0-9\-._~+/]{8,}=*""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Credentials();
}
