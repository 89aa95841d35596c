using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Configuration;

/// <summary>A scalar read from service-mesh.yaml, with the line it came from for error messages.</summary>
/// <param name="SourceKey">The key as written when it differs from today's (the earlier format's keys).</param>
internal sealed record YamlValue(string Value, int Line, string? SourceKey = null);

/// <summary>What service-mesh.yaml contained: dotted keys ("server.http_port") to scalars, or the problems found.</summary>
internal sealed record YamlSettings(IReadOnlyDictionary<string, YamlValue> Values, IReadOnlyList<string> Problems)
{
    /// <summary>One line for the operator about the file (the earlier format: what was used, what is ignored).</summary>
    public string? Warning { get; init; }

    public static readonly YamlSettings Empty = new(new Dictionary<string, YamlValue>(), []);
}

/// <summary>
/// Reads service-mesh.yaml with YamlDotNet's event parser (no reflection, so AOT-safe) into dotted keys.
/// Walking events rather than loading a document lets a syntax error name the last key that was read.
/// </summary>
internal static partial class YamlSettingsFile
{
    /// <summary>Reads the file in today's format, or the earlier image's (recognised by its root key, placeholders resolved from <paramref name="environment"/>).</summary>
    public static YamlSettings Read(string path, IReadOnlySet<string> knownKeys, IReadOnlyDictionary<string, string?> environment)
    {
        var settings = Read(path, knownKeys);
        if (settings.Problems.Count == 0 || !File.Exists(path))
        {
            return settings;
        }
        // Today's reader refuses the earlier keys; only then is the earlier format considered, so today's stays strict.
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return settings;
        }
        return YamlProblems.TryLoad(path, text, out var stream) is null && stream.Documents.Count == 1
            && EarlierSettingsFile.IsEarlierFormat(stream.Documents[0].RootNode)
            ? EarlierSettingsFile.Read(path, (YamlMappingNode)stream.Documents[0].RootNode, environment)
            : settings;
    }

    public static YamlSettings Read(string path, IReadOnlySet<string> knownKeys)
    {
        string text;
        try
        {
            if (!File.Exists(path))
            {
                return YamlSettings.Empty; // optional file
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(new Dictionary<string, YamlValue>(), [$"{path}: cannot be read: {e.Message}"]);
        }
        return Parse(path, text, knownKeys);
    }

    public static YamlSettings Parse(string fileName, string text, IReadOnlySet<string> knownKeys)
    {
        var reader = new Reader(fileName, knownKeys);
        var parser = new Parser(new StringReader(text));
        try
        {
            reader.ReadStream(parser);
        }
        catch (YamlException e)
        {
            reader.Problems.Add(YamlProblems.Malformed(fileName, text, e, reader.LastKey));
        }
        catch (InvalidOperationException)
        {
            reader.Problems.Add(YamlProblems.Unparsable(fileName, reader.LastKeyLine, reader.LastKey));
        }
        return new(reader.Values, reader.Problems);
    }

    // Events, not nodes: the shared node rules do not apply, only its wording of problems and unknown keys.
    private sealed class Reader(string fileName, IReadOnlySet<string> knownKeys)
    {
        private readonly YamlNodeReader yaml = new(fileName);

        public Dictionary<string, YamlValue> Values { get; } = new(StringComparer.Ordinal);
        public List<string> Problems => yaml.Problems;
        public string? LastKey { get; private set; }
        public int LastKeyLine { get; private set; }

        public void ReadStream(Parser parser)
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return;
            }

            parser.Consume<DocumentStart>();
            if (parser.TryConsume<Scalar>(out var only))
            {
                // An empty or all-comments document is a null scalar: nothing configured.
                if (only.Value.Length > 0)
                {
                    Problems.Add($"{fileName} line {only.Start.Line}: expected a mapping of settings (key: value), found '{only.Value}'");
                }
            }
            else if (parser.TryConsume<MappingStart>(out _))
            {
                ReadMapping(parser, prefix: "");
            }
            else
            {
                var current = parser.Current!;
                Problems.Add($"{fileName} line {current.Start.Line}: expected a mapping of settings (key: value)");
                return;
            }
            parser.Consume<DocumentEnd>();
            if (!parser.TryConsume<StreamEnd>(out _))
            {
                Problems.Add($"{fileName} line {parser.Current?.Start.Line}: only one YAML document is allowed");
            }
        }

        private void ReadMapping(Parser parser, string prefix)
        {
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyScalar = parser.Consume<Scalar>();
                var key = prefix + keyScalar.Value;
                var line = (int)keyScalar.Start.Line;
                (LastKey, LastKeyLine) = (key, line);
                if (parser.TryConsume<MappingStart>(out _))
                {
                    ReadMapping(parser, key + ".");
                }
                else if (parser.TryConsume<Scalar>(out var value))
                {
                    Add(key, value.Value, line);
                }
                else
                {
                    yaml.Problem(line, key, "expected a single value or a nested mapping, not a list or alias");
                    parser.SkipThisAndNestedEvents();
                }
            }
        }

        private void Add(string key, string value, int line)
        {
            if (!knownKeys.Contains(key))
            {
                yaml.Problem(line, key, YamlNodeReader.UnknownKey(knownKeys.Order(StringComparer.Ordinal), "setting"));
            }
            else if (!Values.TryAdd(key, new YamlValue(value, line)))
            {
                yaml.Problem(line, key, $"set twice (first on line {Values[key].Line})");
            }
        }
    }
}
