using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Configuration;

/// <summary>The value rules: single values, whole numbers, ports, booleans, durations, lists and service names.</summary>
internal sealed partial class YamlNodeReader
{
    /// <summary>Below a millisecond Envoy's timers and the check loops would only spin.</summary>
    public static readonly TimeSpan MinimumDuration = TimeSpan.FromMilliseconds(1);

    /// <summary>An interval or timeout beyond a day says nothing about now (and what is timed must fit a .NET timer).</summary>
    public static readonly TimeSpan MaximumDuration = TimeSpan.FromHours(24);

    /// <summary>For a span that is compared, never timed (deregister_critical_after): no upper bound.</summary>
    public static readonly TimeSpan Unbounded = TimeSpan.MaxValue;

    public static string DurationExpected(TimeSpan max, string found) =>
        $"expected a duration {(max == Unbounded ? "of 1ms or more" : $"from 1ms to {GoDuration.Format(max)}")} such as 250ms, 5s or 1m30s, found '{found}'";

    /// <summary>A single value (resolved), or null and a problem when the node is a list or a mapping.</summary>
    public string? Scalar(YamlNode node, string key)
    {
        if (node is YamlScalarNode { Value: { } value })
        {
            return resolve is null ? value : resolve(value);
        }

        return Problem<string?>(node, key, "expected a single value", null);
    }

    public string? Scalar(YamlMappingNode map, string key, string path, bool required = false) => At<string?>(map, key, path, required, null, Scalar);

    public int? Number(YamlNode node, string key, int min, int max)
    {
        if (Scalar(node, key) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        return Problem<int?>(node, key, $"expected a whole number from {min} to {max}, found '{text}'", null);
    }

    public int? Port(YamlNode node, string key)
    {
        if (Scalar(node, key) is not { } text)
        {
            return null;
        }

        return PortNumber.TryParse(text, out var port) ? port : Problem<int?>(node, key, $"expected {PortNumber.Rule}, found '{text}'", null);
    }

    public int? Port(YamlMappingNode map, string key, string path, bool required = false) => At<int?>(map, key, path, required, null, Port);

    public bool? Bool(YamlNode node, string key) => Scalar(node, key) switch
    {
        null => null,
        "true" => true,
        "false" => false,
        var other => Problem<bool?>(node, key, $"expected true or false, found '{other}'", null),
    };

    public bool? Bool(YamlMappingNode map, string key, string path) => At<bool?>(map, key, path, false, null, Bool);

    /// <summary>
    /// Go's duration text (250ms, 5s, 1m30s), as Consul and services.yaml write it, from 1 ms to 24 h; a key that
    /// needs another upper bound passes it (a check timeout 5 m, deregister_critical_after <see cref="Unbounded"/>).
    /// </summary>
    public TimeSpan? Duration(YamlNode node, string key, TimeSpan? max = null)
    {
        if (Scalar(node, key) is not { } text)
        {
            return null;
        }

        var limit = max ?? MaximumDuration;
        if (GoDuration.TryParse(text, out var duration) && duration >= MinimumDuration && duration <= limit)
        {
            return duration;
        }

        return Problem<TimeSpan?>(node, key, DurationExpected(limit, text), null);
    }

    public TimeSpan? Duration(YamlMappingNode map, string key, string path, TimeSpan? max = null) =>
        At<TimeSpan?>(map, key, path, false, null, (node, at) => Duration(node, at, max));

    /// <summary>The single values of a list; one value alone stands for a list of one (<c>to: b</c>).</summary>
    public IReadOnlyList<(YamlNode Node, string Value)> List(YamlNode node, string key)
    {
        IEnumerable<YamlNode> items = node is YamlSequenceNode sequence ? sequence.Children : [node];
        var values = new List<(YamlNode, string)>();
        foreach (var item in items)
        {
            if (Scalar(item, key) is { } value)
            {
                values.Add((item, value));
            }
        }

        return values;
    }

    public IReadOnlyList<(YamlNode Node, string Value)> List(YamlMappingNode map, string key, string path) => At<IReadOnlyList<(YamlNode Node, string Value)>>(map, key, path, false, [], List);

    /// <summary>True for a service name (a lowercase DNS label), else a problem quoting the rule.</summary>
    public bool IsServiceName(YamlNode node, string key, string name)
    {
        if (ServiceName.IsValid(name, out _))
        {
            return true;
        }

        Problem(node, key, $"'{name}' is not a service name: expected {ServiceName.Rule}");
        return false;
    }

    // The value under a key of a mapping: read by the node rule, or absent (a problem only when required).
    private T At<T>(YamlMappingNode map, string key, string path, bool required, T absent, Func<YamlNode, string, T> read) =>
        Child(map, key) is { } node ? read(node, Join(path, key))
        : required ? Problem(map, Join(path, key), "is required", absent) : absent;
}
