using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ServiceMesh.Http;

/// <summary>Why a request body was refused: the status (400, or 413 over the size limit), the field as a JSON path, the reason.</summary>
internal sealed record BodyProblem(int Status, string Field, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}

/// <summary>
/// The one way a route reads a JSON body, on 8088 and on 8500 alike. Every malformed body (empty, not JSON, the wrong
/// shape or type, nested past the reader's depth, too large, a null where the model has no room for one) becomes a
/// <see cref="BodyProblem"/> naming the field, never an exception: the routes answer it as a 4xx in their API's style.
/// </summary>
internal static class JsonBody
{
    public static async Task<(T? Value, BodyProblem? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync(request.Body, type, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            return (null, new BodyProblem(StatusCodes.Status400BadRequest, Field(e.Path), Reason(e)));
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own refusals while reading: a body over MaxRequestBodySize (413), a truncated or malformed chunk (400).
            return (null, new BodyProblem(e.StatusCode, "body", e.Message));
        }
        if (value is null)
        {
            return (null, new BodyProblem(StatusCodes.Status400BadRequest, "body", "a JSON object is required, got null"));
        }

        if (JsonNulls.Find(value, type) is { } path)
        {
            return (null, new BodyProblem(StatusCodes.Status400BadRequest, path, "null is not allowed here"));
        }

        return (value, null);
    }

    // "$.Tags[0]" -> "Tags[0]"; "$" (or no path: the body itself) -> "body".
    private static string Field(string? path) => path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    // The serializer appends " Path: $.x | LineNumber: 0 | BytePositionInLine: 9." to its messages; the field is named separately.
    private static string Reason(JsonException e)
    {
        var message = e.Message;
        var at = message.IndexOf(" Path: ", StringComparison.Ordinal);
        message = at >= 0 ? message[..at] : message;
        if (e.LineNumber is { } line && e.BytePositionInLine is { } column)
        {
            message = $"{message.TrimEnd()} (line {line + 1}, byte {column + 1})";
        }

        return message.Length == 0 ? "not valid JSON for this route" : message;
    }
}
