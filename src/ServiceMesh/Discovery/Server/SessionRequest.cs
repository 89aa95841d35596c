using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// The body of session/create, read as Consul's decoder does: names in any case, LockDelay as Go duration text or
/// nanoseconds (values under 1000 taken as seconds, Consul's lockDelayMinThreshold), Checks defaulting to serfHealth only
/// when the body names none of Checks, NodeChecks and ServiceChecks.
/// </summary>
internal static class SessionRequest
{
    private const long LockDelayMinThreshold = 1000;
    private static readonly long DefaultLockDelay = (long)TimeSpan.FromSeconds(15).TotalNanoseconds;

    public static async Task<(SessionRecord? Request, string? Problem)> ReadAsync(HttpRequest request, string nodeName, CancellationToken cancellationToken)
    {
        var session = new SessionRecord("", "", nodeName, DefaultLockDelay, SessionRecord.Release, "", [RegistryStore.SerfHealthCheckId], []);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return (session, null);
        }

        try
        {
            using var body = JsonDocument.Parse(buffer.ToArray());
            if (body.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "the body must be a JSON object");
            }

            var checksNamed = false; // any of the three names, even empty, replaces the default (Consul's FixupChecks)
            var checks = Enumerable.Empty<string>();
            var nodeChecks = Enumerable.Empty<string>();
            foreach (var member in body.RootElement.EnumerateObject())
            {
                switch (member.Name.ToUpperInvariant())
                {
                    case "CHECKS":
                        (checks, checksNamed) = (Texts(member.Value), true);
                        continue;
                    case "NODECHECKS":
                        (nodeChecks, checksNamed) = (Texts(member.Value), true);
                        continue;
                    case "SERVICECHECKS":
                        checksNamed = true;
                        break;
                }

                session = member.Name.ToUpperInvariant() switch
                {
                    "NAME" => session with { Name = Text(member.Value) },
                    "NODE" => session with { Node = Text(member.Value) },
                    "BEHAVIOR" => session with { Behavior = Text(member.Value) },
                    "TTL" => session with { Ttl = Text(member.Value) },
                    "LOCKDELAY" => session with { LockDelayNanoseconds = LockDelay(member.Value) },
                    "SERVICECHECKS" => session with { ServiceChecks = ServiceCheckIds(member.Value) },
                    _ => session,
                };
            }

            var named = checksNamed ? checks.Concat(nodeChecks) : session.Checks;
            return (session with { Checks = [.. named.Distinct(StringComparer.Ordinal)] }, null);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return (null, e.Message);
        }
    }

    /// <summary>What Consul's Session.Apply refuses before anything is written.</summary>
    public static string? Problem(SessionRecord session) =>
        session.Behavior is not (SessionRecord.Release or SessionRecord.Delete) ? $"Invalid Behavior setting '{session.Behavior}'"
        : RegistryStore.TtlProblem(session.Ttl);

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.Null ? "" : value.GetString()!;

    private static List<string> Texts(JsonElement value) =>
        value.ValueKind == JsonValueKind.Null ? [] : value.EnumerateArray().Select(Text).ToList();

    private static string[] ServiceCheckIds(JsonElement value) => value.ValueKind == JsonValueKind.Null ? []
        : [.. value.EnumerateArray().Select(c => c.EnumerateObject().FirstOrDefault(p => p.NameEquals("ID") || p.Name.Equals("id", StringComparison.OrdinalIgnoreCase)).Value)
            .Select(id => id.ValueKind == JsonValueKind.String ? id.GetString()! : throw new FormatException("ServiceChecks entries need an ID"))];

    private static long LockDelay(JsonElement value)
    {
        long nanoseconds = value.ValueKind switch
        {
            JsonValueKind.Number => (long)value.GetDouble(),
            JsonValueKind.String when GoDuration.TryParse(value.GetString(), out var duration) => (long)duration.TotalNanoseconds,
            _ => throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"time: invalid duration \"{value}\"")),
        };
        return nanoseconds < LockDelayMinThreshold ? nanoseconds * 1_000_000_000 : nanoseconds;
    }
}
