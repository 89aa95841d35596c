using System.Text;
using System.Text.RegularExpressions;
using ServiceMesh.Configuration;
using ServiceMesh.Envoy.Output;
using ServiceMesh.Envoy.Rendering;
using ServiceMesh.Envoy.Rendering.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ServiceMesh.Tests.Envoy.Rendering.Model;

/// <summary>
/// The lean emitter must write what YamlDotNet's own Emitter writes, as far as any YAML reader can tell: both outputs
/// are read back with YamlDotNet's parser and compared event by event (structure, values, and whether a plain scalar
/// could read as a number, bool or null).
/// </summary>
public sealed partial class BlockYamlEmitterTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)] // HTTP/2 and gRPC members: ALPN, typed_extension_protocol_options, grpc_health_check
    public async Task Render_EveryDocumentOfTheTestMesh_ReadsBackAsYamlDotNetsEmitterOutputDoes(bool staticLayout, bool everyProtocol)
    {
        var layout = staticLayout ? EnvoyConfigLayout.Static : EnvoyConfigLayout.Dynamic;
        using var mesh = new EnvoyTestMesh(layout);
        await mesh.IssueAllAsync();
        var documents = 0;
        var builder = new EnvoyConfigBuilder(new EnvoyFileLayout(mesh.Options.EnvoyConfigPath), document =>
        {
            var ours = EnvoyYamlWriter.Render(document);
            var theirs = EnvoyYamlWriter.Render(document, text => new Emitter(text, bestIndent: 2, bestWidth: int.MaxValue));
            ReadBack(Events(ours)).ShouldBe(ReadBack(Events(theirs)), ours);
            documents++;
            return ours;
        });
        var specs = mesh.Planner.Plan((everyProtocol ? EnvoyTestMesh.ProtocolTopology() : EnvoyTestMesh.Topology()).Members, mesh.Policies.Reload()!);

        foreach (var spec in specs)
        {
            _ = layout == EnvoyConfigLayout.Static ? builder.Static(spec) : builder.Dynamic(spec);
        }

        documents.ShouldBe(specs.Count * (layout == EnvoyConfigLayout.Static ? 1 : 5));
    }

    [Fact]
    public void Render_AwkwardScalarsAndNesting_ReadBackAsExactlyTheEventsWritten()
    {
        string[] awkward = ["", " lead", "trail ", "a: b", "a #b", "#c", "key:", "-dash", "- item", "@at", "*star", "&anchor", "!tag", "%pct",
            "{brace}", "[bracket]", "'single'", "\"double\"", "back\\slash", "multi\nline", "tab\there", "cr\r", "nul\0", "del\u007f",
            "ünïcödé ✓", "line\u2028sep", "next\u0085line", "c1\u0091", "nonchar\uffff", "0X1F", "0o17", "spiffe://lucid.local/ns/default/dc/lucid-dc/svc/a-b", "/var/lib/x.yaml", "type.googleapis.com/envoy.config.cluster.v3.Cluster"];
        var document = new AwkwardDocument(awkward);
        var written = new RecordingEmitter();
        EnvoyYamlWriter.Render(document, _ => written);

        var ours = EnvoyYamlWriter.Render(document);

        // Compared with the events themselves: YamlDotNet's own Emitter writes "\r" and U+0085 so that they read back as a space and "\n".
        ReadBack(Events(ours)).ShouldBe(ReadBack(written.Events), ours);
    }

    private sealed class RecordingEmitter : IEmitter
    {
        public List<ParsingEvent> Events { get; } = [];

        public void Emit(ParsingEvent @event) => Events.Add(@event);
    }

    /// <summary>Keys and values of every awkward kind, lists of scalars, lists of lists, empty collections at each position.</summary>
    private sealed record AwkwardDocument(IReadOnlyList<string> Values) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml)
        {
            foreach (var value in Values)
            {
                yaml.Field(value.Length == 0 ? "empty" : value, value);
            }

            yaml.Strings("list", Values).Strings("empty_list", []).Empty("empty_map")
                .List("nested", [new Nested([]), new Nested(["x", "true"]), new Nested(["8080"])])
                .Field("number", 8080L).Field("flag", true);
        }
    }

    private sealed record Nested(IReadOnlyList<string> Items) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Strings("items", Items).Empty("none").Field("name", "n");
    }

    /// <summary>The parsed event stream as text: collections, scalar values, and a mark on plain scalars that resolve to a non-string.</summary>
    private static string ReadBack(IEnumerable<ParsingEvent> events)
    {
        var text = new StringBuilder();
        foreach (var e in events)
        {
            text.Append(e switch
            {
                MappingStart => "{",
                MappingEnd => "}",
                SequenceStart => "[",
                SequenceEnd => "]",
                Scalar s => (s.Style == ScalarStyle.Plain && NonString().IsMatch(s.Value) ? "plain:" : "") + System.Text.Json.JsonSerializer.Serialize(s.Value) + ",",
                _ => "",
            });
        }
        return text.ToString();
    }

    private static List<ParsingEvent> Events(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var events = new List<ParsingEvent>();
        while (parser.MoveNext())
        {
            events.Add(parser.Current!);
        }

        return events;
    }

    [GeneratedRegex(@"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9][0-9_.]*|0x[0-9a-fA-F]+|)$")]
    private static partial Regex NonString();
}
