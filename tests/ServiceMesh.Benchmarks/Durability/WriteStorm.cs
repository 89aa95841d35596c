using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ServiceMesh.Benchmarks.Durability;

/// <summary>
/// Concurrent durable writes through the Consul API until the process dies: registrations, KV puts and KV deletes of
/// keys put earlier in the trial, plus certificate re-issues on the Lucid API (they change certificate and SDS files
/// while the readers watch). Only writes answered 200 before the kill count as acknowledged.
/// </summary>
internal sealed class WriteStorm(TrialMesh mesh, int trial)
{
    private const int Writers = 8;
    private readonly ConcurrentBag<string> _registered = [];
    private readonly ConcurrentDictionary<string, string> _kvPut = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<string> _kvDeleted = [];
    // Deletes sent: one the kill cut off before its answer may or may not have happened, so its key may be either way.
    private readonly ConcurrentDictionary<string, bool> _kvDeleteSent = new(StringComparer.Ordinal);

    public long Acknowledged => _registered.Count + _kvPut.Count + _kvDeleted.Count;

    public async Task RunAsync(CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var writers = Enumerable.Range(0, Writers).Select(w => WriteAsync(http, w, stop)).Append(ReissueAsync(http, stop));
        await Task.WhenAll(writers);
    }

    /// <summary>Reads everything back after the restart: acknowledged writes missing (or deletes undone).</summary>
    public async Task<long> CountLostAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var services = JsonDocument.Parse(await http.GetStringAsync(new Uri(mesh.Consul, "v1/agent/services")));
        var missing = _registered.Where(id => !services.RootElement.TryGetProperty(id, out _)).ToList();
        var kv = await http.GetAsync(new Uri(mesh.Consul, $"v1/kv/trial-{trial}/?recurse"));
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        if (kv.StatusCode == HttpStatusCode.OK)
        {
            using var pairs = JsonDocument.Parse(await kv.Content.ReadAsStringAsync());
            foreach (var pair in pairs.RootElement.EnumerateArray())
            {
                stored[pair.GetProperty("Key").GetString()!] = Encoding.UTF8.GetString(Convert.FromBase64String(pair.GetProperty("Value").GetString() ?? ""));
            }
        }
        var deleted = _kvDeleted.ToHashSet(StringComparer.Ordinal);
        missing.AddRange(_kvPut.Keys.Where(key => !_kvDeleteSent.ContainsKey(key) && stored.GetValueOrDefault(key) != _kvPut[key]).Select(key => "kv put " + key));
        missing.AddRange(deleted.Where(stored.ContainsKey).Select(key => "kv delete " + key));
        foreach (var write in missing)
        {
            Console.WriteLine($"  lost: {write}");
        }

        return missing.Count;
    }

    private async Task WriteAsync(HttpClient http, int writer, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            try
            {
                switch (n % 3)
                {
                    case 0:
                        var id = FormattableString.Invariant($"trial-{trial}-w{writer}-{n}");
                        var body = FormattableString.Invariant($$"""{"ID":"{{id}}","Name":"storm-{{writer}}","Port":{{10000 + n % 50000}},"Tags":["trial"]}""");
                        if (await SendAsync(http, HttpMethod.Put, "v1/agent/service/register", body, stop))
                        {
                            _registered.Add(id);
                        }

                        break;
                    case 1:
                        var key = FormattableString.Invariant($"trial-{trial}/w{writer}/{n}");
                        if (await SendAsync(http, HttpMethod.Put, "v1/kv/" + key, key, stop))
                        {
                            _kvPut[key] = key;
                        }

                        break;
                    default:
                        var earlier = FormattableString.Invariant($"trial-{trial}/w{writer}/{n - 4}");
                        if (!_kvPut.ContainsKey(earlier))
                        {
                            break;
                        }

                        _kvDeleteSent[earlier] = true;
                        if (await SendAsync(http, HttpMethod.Delete, "v1/kv/" + earlier, null, stop))
                        {
                            _kvDeleted.Add(earlier);
                        }

                        break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return; // the process died: what was not answered was never acknowledged
            }
        }
    }

    private async Task ReissueAsync(HttpClient http, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var services = TornReadWatch.CertifiedServices(mesh.CertificatesPath);
            if (services.Count == 0)
            {
                await Task.Delay(20, CancellationToken.None);
                continue;
            }
            try
            {
                foreach (var service in services.Take(3))
                {
                    await http.PostAsync(new Uri(mesh.Http, "certificates/" + service), null, stop);
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return;
            }
        }
    }

    private async Task<bool> SendAsync(HttpClient http, HttpMethod method, string path, string? body, CancellationToken stop)
    {
        using var request = new HttpRequestMessage(method, new Uri(mesh.Consul, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
        }

        using var response = await http.SendAsync(request, stop);
        return response.StatusCode == HttpStatusCode.OK;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"trial {trial}: {Acknowledged} acknowledged");
}
