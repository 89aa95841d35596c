using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Configuration;

/// <summary>
/// One wording for problems in the YAML files the mesh reads (service-mesh.yaml, services.yaml, policies.yaml):
/// "file line N, key 'k': what is wrong and what is expected", so an operator can go straight to the spot.
/// </summary>
internal static partial class YamlProblems
{
    public static string At(string file, long line, string key, string message) => $"{file} line {line}, key '{key}': {message}";

    /// <summary>Text YamlDotNet could not parse: the position, and the key written on or above that line.</summary>
    public static string Malformed(string file, string text, YamlException e, string? fallbackKey = null)
    {
        var key = KeyAtLine(text, (int)e.Start.Line) ?? fallbackKey;
        return $"{file} line {e.Start.Line}, column {e.Start.Column}{(key is null ? "" : $", key '{key}'")}: malformed YAML: {e.Message}";
    }

    /// <summary>YamlDotNet's scanner throws InvalidOperationException, without a position, on some inputs (an unclosed '[').</summary>
    public static string Unparsable(string file, long? afterLine = null, string? afterKey = null) =>
        $"{file}: malformed YAML{(afterKey is null ? "" : $" after line {afterLine}, key '{afterKey}'")}: check brackets and quotes{(afterKey is null ? "" : " there")}";

    /// <summary>Loads a whole file; null, or the one problem that stops it from being read at all.</summary>
    public static string? TryLoad(string file, string text, out YamlStream stream)
    {
        stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
            return null;
        }
        catch (YamlException e)
        {
            return Malformed(file, text, e);
        }
        catch (InvalidOperationException)
        {
            return Unparsable(file);
        }
    }

    /// <summary>
    /// The dotted key written on <paramref name="line"/> (or the nearest key above it), from indentation alone.
    /// Only for error messages: the parser cannot say which key it was reading when the text is malformed.
    /// </summary>
    internal static string? KeyAtLine(string text, int line)
    {
        var path = new List<(int Indent, string Key)>();
        var lines = text.Split('\n');
        for (var i = 0; i < Math.Min(line, lines.Length); i++)
        {
            var match = KeyPattern().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var indent = match.Groups[1].Length;
            path.RemoveAll(p => p.Indent >= indent);
            path.Add((indent, match.Groups[2].Value));
        }
        return path.Count == 0 ? null : string.Join('.', path.Select(p => p.Key));
    }

    [GeneratedRegex(@"^(\s*)([A-Za-z0-9_.-]+)\s*:(\s|$)")]
    private static partial Regex KeyPattern();
}
