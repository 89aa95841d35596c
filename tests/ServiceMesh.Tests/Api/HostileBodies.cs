using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ServiceMesh.Tests.Api;

/// <summary>A request body an attacker or a broken client might send, built fresh per request.</summary>
internal sealed record HostileBody(string Name, Func<HttpContent> Content)
{
    /// <summary>Set for the 10 MB bodies, which go over a raw socket (see <see cref="Support.RawHttp"/>): the bytes and whether chunked.</summary>
    public (byte[] Bytes, bool Chunked)? Oversized { get; init; }

    public override string ToString() => Name;
}

/// <summary>The table of hostile bodies the fuzz test sends: shapes every route must refuse, and per-route field mutations.</summary>
internal static class HostileBodies
{
    public const int Deep = 10_000;
    public const int TenMegabytes = 10 * 1024 * 1024;

    /// <summary>Bodies no JSON route can accept, whatever its model.</summary>
    public static IReadOnlyList<HostileBody> Shapes(string validBody) =>
    [
        Text("empty body", ""),
        Text("not JSON", "this is not JSON"),
        Bytes("invalid UTF-8", [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)'}']),
        Text("JSON null", "null"),
        Text("empty array", "[]"),
        Text("array instead of object", $"[{validBody}]"),
        Text("string instead of object", "\"web\""),
        Text("number instead of object", "42"),
        Text("truncated object", validBody[..(validBody.Length / 2)]),
        Text("trailing garbage", validBody + " {}"),
        Text($"{Deep} nested arrays", new string('[', Deep) + new string(']', Deep)),
        Text($"{Deep} nested objects", string.Concat(Enumerable.Repeat("{\"a\":", Deep)) + "1" + new string('}', Deep)),
        Oversize("10 MB body, Content-Length", validBody, chunked: false),
        Oversize("10 MB body, chunked", validBody, chunked: true),
    ];

    /// <summary>Bodies a route that reads none must still survive: the shapes, over an empty object.</summary>
    public static IReadOnlyList<HostileBody> ForBodylessRoutes => Shapes("{\"a\":\"b\"}");

    /// <summary>The oversized bodies only, declared with a length (refused before any route runs).</summary>
    public static IReadOnlyList<HostileBody> Declared10Mb => [Oversize("10 MB body, Content-Length", "{\"a\":\"b\"}", chunked: false)];

    /// <summary>The valid body with one field replaced by a hostile value (a null element, a wrong type, deep nesting).</summary>
    public static IEnumerable<HostileBody> Mutations(string validBody, params (string Field, string Value)[] mutations) =>
        mutations.Select(m => Text($"{m.Field}: {Shorten(m.Value)}", Mutate(validBody, m.Field, m.Value)))
            .Append(Text("deep nesting inside a field", Mutate(validBody, mutations[0].Field, new string('[', Deep) + new string(']', Deep))));

    private static string Mutate(string validBody, string field, string value)
    {
        var body = JsonNode.Parse(validBody)!.AsObject();
        // Deep values are spliced in as text: JsonNode itself refuses to hold more than 64 levels.
        body[field] = "__placeholder__";
        return body.ToJsonString().Replace("\"__placeholder__\"", value, StringComparison.Ordinal);
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";

    // The valid body with one more field holding ~10 MB, so only its size is wrong.
    private static string Padded(string validBody) =>
        validBody.StartsWith('{') ? "{\"padding\":\"" + new string('x', TenMegabytes) + "\"," + validBody[1..] : validBody;

    private static HostileBody Oversize(string name, string validBody, bool chunked) =>
        new(name, () => throw new InvalidOperationException("sent raw")) { Oversized = (Encoding.UTF8.GetBytes(Padded(validBody)), chunked) };

    private static HostileBody Text(string name, string text) => new(name, () => Json(text));

    private static HostileBody Bytes(string name, byte[] bytes) => new(name, () => Json(bytes));

    private static ByteArrayContent Json(string text) => Json(Encoding.UTF8.GetBytes(text));

    private static ByteArrayContent Json(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
