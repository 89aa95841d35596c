using System.Text.RegularExpressions;

namespace ServiceMesh.Configuration;

/// <summary>
/// Shell-style placeholders in the earlier image's config files, resolved from the environment the process got:
/// <c>${VAR:-default}</c> (the default when VAR is unset or empty), <c>${VAR-default}</c> (the default when VAR is unset)
/// and <c>${VAR}</c> (empty when unset). Anything else is left as written. Only the earlier formats use them.
/// </summary>
internal static partial class Placeholders
{
    public static string Resolve(string text, IReadOnlyDictionary<string, string?> environment) =>
        text.Contains("${", StringComparison.Ordinal) ? Pattern().Replace(text, match =>
        {
            var set = environment.TryGetValue(match.Groups["name"].Value, out var value) ? value : null;
            return match.Groups["op"].Value switch
            {
                ":-" => string.IsNullOrEmpty(set) ? match.Groups["default"].Value : set,
                "-" => set ?? match.Groups["default"].Value,
                _ => set ?? "",
            };
        }) : text;

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?-)(?<default>[^}]*))?\}")]
    private static partial Regex Pattern();
}
