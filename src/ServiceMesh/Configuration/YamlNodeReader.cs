using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Configuration;

/// <summary>Shared rules for reading services.yaml/policies.yaml nodes; every problem is collected
/// (<see cref="YamlProblems.At"/>, "file line N, key 'path': expected, found") so one run shows them all.</summary>
/// <param name="resolve">Applied to every scalar read (the earlier formats' <c>${VAR:-default}</c>); null: as written.</param>
internal sealed partial class YamlNodeReader(string fileName, Func<string, string>? resolve = null)
{
    public List<string> Problems { get; } = [];

    /// <summary>"upstreams.a" + "interval" → "upstreams.a.interval"; the top level has no prefix.</summary>
    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    /// <summary>"unknown key (known: a, b)": the one wording for a key no reader knows, listing the keys it does.</summary>
    public static string UnknownKey(IEnumerable<string> known, string noun = "key") => $"unknown {noun} (known: {string.Join(", ", known)})";

    /// <summary>The node as a mapping, or null and a problem naming the shape expected.</summary>
    public YamlMappingNode? Mapping(YamlNode node, string path, string shape = "key: value") =>
        node as YamlMappingNode ?? Problem<YamlMappingNode?>(node, path.Length == 0 ? "(top level)" : path, $"expected a mapping ({shape})", null);

    /// <summary>Each plain key of a mapping with its value; a node that is no mapping, or a key that is no scalar, is a problem.</summary>
    public IEnumerable<(string Key, YamlNode Value)> Entries(YamlNode node, string path, string shape = "key: value")
    {
        if (Mapping(node, path, shape) is not { } map)
        {
            yield break;
        }

        foreach (var (key, value) in map.Children)
        {
            if (key is YamlScalarNode { Value: { } name })
            {
                yield return (name, value);
            }
            else
            {
                Problem(key, path, "expected a plain key");
            }
        }
    }

    /// <summary>Names every key of <paramref name="map"/> that is not in <paramref name="known"/>.</summary>
    public void UnknownKeys(YamlMappingNode map, string path, IReadOnlyCollection<string> known)
    {
        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>().Where(k => !known.Contains(k.Value ?? "")))
        {
            Problem(key, Join(path, key.Value ?? ""), UnknownKey(known));
        }
    }

    /// <summary>
    /// Reads a mapping key by key through a table of <paramref name="fields"/> (key → how it updates the value), so
    /// a section is one list of rows; a key no row names is a problem listing the rows.
    /// </summary>
    public T Section<T>(YamlNode node, string path, T value, IReadOnlyList<YamlField<T>> fields)
    {
        foreach (var (key, child) in Entries(node, path))
        {
            var at = Join(path, key);
            value = fields.FirstOrDefault(f => f.Name == key) is { } field
                ? field.Apply(this, child, at, value)
                : Problem(child, at, UnknownKey(fields.Select(f => f.Name)), value);
        }
        return value;
    }

    public T Problem<T>(YamlNode node, string key, string message, T fallback)
    {
        Problem(node.Start.Line, key, message);
        return fallback;
    }

    public void Problem(YamlNode node, string key, string message) => Problem(node.Start.Line, key, message);

    public void Problem(long line, string key, string message) => Problems.Add(YamlProblems.At(fileName, line, key, message));
}

/// <summary>One row of a <see cref="YamlNodeReader.Section{T}"/> table: a key and how its value updates <typeparamref name="T"/>.</summary>
internal sealed record YamlField<T>(string Name, Func<YamlNodeReader, YamlNode, string, T, T> Apply);

/// <summary>The usual rows: a bounded whole number, a duration, a single value checked by the caller.</summary>
internal static class YamlField
{
    public static YamlField<T> Number<T>(string name, int min, int max, Func<T, int, T> set) =>
        new(name, (reader, node, at, value) => reader.Number(node, at, min, max) is { } number ? set(value, number) : value);

    public static YamlField<T> Duration<T>(string name, Func<T, TimeSpan, T> set) =>
        new(name, (reader, node, at, value) => reader.Duration(node, at) is { } duration ? set(value, duration) : value);

    public static YamlField<T> Section<T, TSection>(string name, Func<T, TSection> get, Func<T, TSection, T> set, IReadOnlyList<YamlField<TSection>> fields) =>
        new(name, (reader, node, at, value) => set(value, reader.Section(node, at, get(value), fields)));
}
