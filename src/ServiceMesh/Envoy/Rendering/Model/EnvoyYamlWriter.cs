using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ServiceMesh.Envoy.Rendering.Model;

/// <summary>An Envoy API message: writes its own fields, in proto order, through <see cref="EnvoyYamlWriter"/>.</summary>
internal interface IEnvoyMessage
{
    void WriteFields(EnvoyYamlWriter yaml);
}

/// <summary>A message that travels as <c>google.protobuf.Any</c> (typed_config, xDS resources): it carries its "@type".</summary>
internal interface IEnvoyTypedMessage : IEnvoyMessage
{
    string TypeUrl { get; }
}

/// <summary>
/// Emits typed Envoy messages as YAML events (YamlDotNet's event model) into <see cref="BlockYamlEmitter"/>: no
/// reflection (Native AOT), no string templates. Null fields are omitted, as protobuf's JSON mapping omits unset fields; durations are written in
/// protobuf's JSON form ("5s", "0.250s"); strings YAML would read as another type are double-quoted.
/// </summary>
internal sealed partial class EnvoyYamlWriter
{
    public const string TypeUrlPrefix = "type.googleapis.com/";

    private readonly IEmitter _emitter;

    private EnvoyYamlWriter(IEmitter emitter) => _emitter = emitter;

    public static string Render(IEnvoyMessage document) => Render(document, text => new BlockYamlEmitter(text));

    /// <summary>Renders through any YamlDotNet emitter (tests compare <see cref="BlockYamlEmitter"/> with YamlDotNet's own).</summary>
    internal static string Render(IEnvoyMessage document, Func<TextWriter, IEmitter> emitterFor)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = emitterFor(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        new EnvoyYamlWriter(emitter).WriteMessage(document);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    public EnvoyYamlWriter Field(string key, string? value)
    {
        if (value is null)
        {
            return this;
        }

        Key(key);
        String(value);
        return this;
    }

    public EnvoyYamlWriter Field(string key, long? value) =>
        value is null ? this : Plain(key, value.Value.ToString(CultureInfo.InvariantCulture));

    public EnvoyYamlWriter Field(string key, bool? value) =>
        value is null ? this : Plain(key, value.Value ? "true" : "false");

    public EnvoyYamlWriter Field(string key, TimeSpan? value) =>
        value is null ? this : Plain(key, Duration(value.Value));

    public EnvoyYamlWriter Field(string key, IEnvoyMessage? message)
    {
        if (message is null)
        {
            return this;
        }

        Key(key);
        WriteMessage(message);
        return this;
    }

    /// <summary>A <c>google.protobuf.Any</c>: "@type" first, then the message's own fields.</summary>
    public EnvoyYamlWriter Typed(string key, IEnvoyTypedMessage? message)
    {
        if (message is null)
        {
            return this;
        }

        Key(key);
        WriteTyped(message);
        return this;
    }

    /// <summary>A repeated message field: the items' own fields only, even for types that can also travel as an Any.</summary>
    public EnvoyYamlWriter List<T>(string key, IReadOnlyList<T>? items) where T : IEnvoyMessage => Sequence(key, items, item => WriteMessage(item));

    /// <summary>
    /// A <c>repeated google.protobuf.Any</c> (DiscoveryResponse.resources): each item with its "@type". Only here; a
    /// plain repeated field such as Bootstrap.static_resources.clusters must not carry "@type", Envoy rejects it.
    /// </summary>
    public EnvoyYamlWriter AnyList(string key, IReadOnlyList<IEnvoyTypedMessage>? items) => Sequence(key, items, WriteTyped);

    private EnvoyYamlWriter Sequence<T>(string key, IReadOnlyList<T>? items, Action<T> write) where T : IEnvoyMessage
    {
        if (items is null)
        {
            return this;
        }

        Key(key);
        _emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, items.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
        foreach (var item in items)
        {
            write(item);
        }

        _emitter.Emit(new SequenceEnd());
        return this;
    }

    public EnvoyYamlWriter Strings(string key, IReadOnlyList<string>? items)
    {
        if (items is null)
        {
            return this;
        }

        Key(key);
        _emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, items.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
        foreach (var item in items)
        {
            String(item);
        }

        _emitter.Emit(new SequenceEnd());
        return this;
    }

    /// <summary>A protobuf map&lt;string, message&gt;, keys in ordinal order so the output is stable.</summary>
    public EnvoyYamlWriter Map<T>(string key, IReadOnlyDictionary<string, T>? entries) where T : IEnvoyMessage
    {
        if (entries is null)
        {
            return this;
        }

        Key(key);
        _emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, entries.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
        foreach (var (name, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            String(name);
            WriteMessage(value);
        }
        _emitter.Emit(new MappingEnd());
        return this;
    }

    /// <summary>A message with no fields set, written as <c>{}</c> (e.g. tcp_health_check, admin_layer).</summary>
    public EnvoyYamlWriter Empty(string key)
    {
        Key(key);
        _emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Flow));
        _emitter.Emit(new MappingEnd());
        return this;
    }

    /// <summary>protobuf JSON Duration: seconds with up to nine fractional digits and an "s" suffix.</summary>
    public static string Duration(TimeSpan value)
    {
        var seconds = (decimal)value.Ticks / TimeSpan.TicksPerSecond;
        return seconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
    }

    private void WriteMessage(IEnvoyMessage message)
    {
        _emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Block));
        message.WriteFields(this);
        _emitter.Emit(new MappingEnd());
    }

    private void WriteTyped(IEnvoyTypedMessage message)
    {
        _emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Block));
        _emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "@type", ScalarStyle.DoubleQuoted, isPlainImplicit: false, isQuotedImplicit: true));
        String(message.TypeUrl);
        message.WriteFields(this);
        _emitter.Emit(new MappingEnd());
    }

    private EnvoyYamlWriter Plain(string key, string value)
    {
        Key(key);
        _emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
        return this;
    }

    private void Key(string key) =>
        _emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, key, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));

    // "true", "8080", "~" or "" would come back as a bool, number or null: quote them so Envoy reads a string.
    private void String(string value)
    {
        var style = value.Length == 0 || NonStringScalar().IsMatch(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        _emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, style, isPlainImplicit: true, isQuotedImplicit: true));
    }

    [GeneratedRegex(@"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0[xX][0-9a-fA-F]+|0[oO][0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")]
    private static partial Regex NonStringScalar();
}
