using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceMesh.Discovery.Consul;

/// <summary>
/// A user event (PUT /v1/event/fire/:name, GET /v1/event/list). Consul writes every field, a missing payload as null;
/// LTime is the gossip clock, 0 in the fire answer and set once the agent takes the event in.
/// </summary>
internal sealed record UserEvent
{
    [JsonPropertyName("ID")] public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.Never), JsonConverter(typeof(Base64OrNull))] public byte[]? Payload { get; init; }
    public string NodeFilter { get; init; } = "";
    public string ServiceFilter { get; init; } = "";
    public string TagFilter { get; init; } = "";
    public int Version { get; init; }
    public ulong LTime { get; init; }
}

/// <summary>Go's []byte in JSON: base64, or null when absent (the generated serializer writes a null array as "").</summary>
internal sealed class Base64OrNull : JsonConverter<byte[]?>
{
    public override bool HandleNull => true;

    public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : reader.GetBytesFromBase64();

    public override void Write(Utf8JsonWriter writer, byte[]? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteBase64StringValue(value);
        }
    }
}
