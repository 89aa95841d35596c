using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceMesh.Http;

/// <summary>
/// One value a request got wrong. <see cref="Field"/> is a JSON path inside the body ("service_port",
/// "upstreams[0].name", "body" for the whole body) or a path parameter's name; <see cref="Kind"/> is the
/// earlier API's error type ("json_invalid", "missing", "value_error").
/// </summary>
internal sealed record FieldError(string Field, string Message, string Kind = "value_error")
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>A segment of an error location: a member name, or a list index (written as a JSON number).</summary>
[JsonConverter(typeof(LocPartConverter))]
internal readonly record struct LocPart(string? Name, int Index)
{
    public static implicit operator LocPart(string name) => new(name, 0);

    /// <summary>"upstreams[0].name" -> upstreams, 0, name; "['a.b']" -> a.b; "body" (the whole body) -> nothing.</summary>
    public static IEnumerable<LocPart> Parse(string path)
    {
        if (path == "body")
        {
            yield break;
        }

        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                i++;
            }

            if (i < path.Length && path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                close = close < 0 ? path.Length - 1 : close;
                var inner = path[(i + 1)..close];
                yield return int.TryParse(inner, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                    ? new LocPart(null, index)
                    : new LocPart(inner.Trim('\'').Replace("\\'", "'", StringComparison.Ordinal), 0);
                i = close + 1;
                continue;
            }
            var end = path.IndexOfAny(['.', '['], i);
            end = end < 0 ? path.Length : end;
            if (end > i)
            {
                yield return new LocPart(path[i..end], 0);
            }

            i = end;
        }
    }
}

internal sealed class LocPartConverter : JsonConverter<LocPart>
{
    public override LocPart Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? new LocPart(null, reader.GetInt32()) : new LocPart(reader.GetString(), 0);

    public override void Write(Utf8JsonWriter writer, LocPart value, JsonSerializerOptions options)
    {
        if (value.Name is null)
        {
            writer.WriteNumberValue(value.Index);
        }
        else
        {
            writer.WriteStringValue(value.Name);
        }
    }
}

/// <summary>One entry of <c>detail</c> in a 422: the earlier (FastAPI) shape <c>{loc, msg, type}</c>.</summary>
internal sealed record ValidationErrorItem(IReadOnlyList<LocPart> Loc, string Msg, string Type);

/// <summary>
/// A 422 as problem+json whose <c>detail</c> is the earlier API's list of errors. RFC 9457 asks consumers to ignore a
/// member of an unexpected type, so RFC clients fall back to <c>title</c>; the sentence a person reads is in the
/// <c>summary</c> extension member.
/// </summary>
internal sealed record ValidationProblemBody(string Type, string Title, int Status, IReadOnlyList<ValidationErrorItem> Detail, string Summary, string? Instance);

/// <summary>Source-generated JSON for the problem bodies every capability answers with (Native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ValidationProblemBody))]
internal sealed partial class HttpJsonContext : JsonSerializerContext
{
    /// <summary>Web defaults, with quotes and '+' in messages left readable rather than \u0027 and \u002B.</summary>
    public static HttpJsonContext Relaxed { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
