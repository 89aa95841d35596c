using System.Net;
using System.Text;
using System.Text.Json;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>Scenarios ported from Consul's api/kv_test.go (named in each test), over real HTTP against the embedded agent.</summary>
public sealed class ConsulKvApiTests
{
    [Fact] // TestAPI_ClientPutGetDelete
    public async Task PutGetDelete_OneKey_ValueThenGone()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        (await PutAsync(http, "v1/kv/test/key?flags=42", "test")).ShouldBe("true");
        var pair = (await GetJsonAsync(http, "v1/kv/test/key"))[0];
        (await http.DeleteAsync("v1/kv/test/key")).StatusCode.ShouldBe(HttpStatusCode.OK);

        Encoding.UTF8.GetString(Convert.FromBase64String(pair.GetProperty("Value").GetString()!)).ShouldBe("test");
        pair.GetProperty("Flags").GetUInt64().ShouldBe(42UL);
        (await http.GetAsync("v1/kv/test/key")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact] // TestAPI_ClientList_DeleteRecurse
    public async Task DeleteRecurse_Prefix_EveryKeyUnderItGoneOthersKept()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        foreach (var key in new[] { "prefix/a", "prefix/b", "prefix/c/d", "other" })
        {
            await PutAsync(http, $"v1/kv/{key}", "v");
        }

        (await GetJsonAsync(http, "v1/kv/prefix?recurse")).GetArrayLength().ShouldBe(3);
        (await http.DeleteAsync("v1/kv/prefix?recurse")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await http.GetAsync("v1/kv/prefix?recurse")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await GetJsonAsync(http, "v1/kv/other")).GetArrayLength().ShouldBe(1);
    }

    [Fact] // TestAPI_ClientCAS
    public async Task Cas_ZeroThenModifyIndex_OnlyTheMatchingWriteLands()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        (await PutAsync(http, "v1/kv/cas?cas=0", "first")).ShouldBe("true");
        (await PutAsync(http, "v1/kv/cas?cas=0", "second")).ShouldBe("false", "cas=0 writes only a key that does not exist");
        var modifyIndex = (await GetJsonAsync(http, "v1/kv/cas"))[0].GetProperty("ModifyIndex").GetUInt64();
        (await PutAsync(http, $"v1/kv/cas?cas={modifyIndex + 1}", "stale")).ShouldBe("false");
        (await PutAsync(http, $"v1/kv/cas?cas={modifyIndex}", "third")).ShouldBe("true");

        (await RawAsync(http, "v1/kv/cas")).ShouldBe("third");
    }

    [Fact] // TestAPI_ClientDeleteCAS
    public async Task DeleteCas_WrongIndexKeepsTheKey_RightIndexDeletesIt()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await PutAsync(http, "v1/kv/doomed", "v");
        var modifyIndex = (await GetJsonAsync(http, "v1/kv/doomed"))[0].GetProperty("ModifyIndex").GetUInt64();

        (await (await http.DeleteAsync($"v1/kv/doomed?cas={modifyIndex + 5}")).Content.ReadAsStringAsync()).ShouldBe("false");
        (await http.GetAsync("v1/kv/doomed")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await http.DeleteAsync($"v1/kv/doomed?cas={modifyIndex}")).Content.ReadAsStringAsync()).ShouldBe("true");
        (await http.GetAsync("v1/kv/doomed")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact] // TestAPI_ClientKeys
    public async Task Keys_WithAndWithoutSeparator_ListedAndFolded()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        foreach (var key in new[] { "web/a", "web/b/c", "web/b/d", "api/x" })
        {
            await PutAsync(http, $"v1/kv/{key}", "v");
        }

        Strings(await GetJsonAsync(http, "v1/kv/web/?keys")).ShouldBe(["web/a", "web/b/c", "web/b/d"]);
        Strings(await GetJsonAsync(http, "v1/kv/web/?keys&separator=/")).ShouldBe(["web/a", "web/b/"]);
        (await http.GetAsync("v1/kv/none/?keys")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact] // the npm client sends keys URL-encoded; Go decodes the path once
    public async Task Key_PercentEncodedSlash_IsTheSameKey_AndRawReturnsTheBytes()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        await PutAsync(http, "v1/kv/a%2Fb", "value");

        (await RawAsync(http, "v1/kv/a/b")).ShouldBe("value");
        Strings(await GetJsonAsync(http, "v1/kv/?keys")).ShouldBe(["a/b"]);
    }

    [Fact] // TestAPI_ClientAcquireRelease: without sessions no lock can be held, so the write is refused, never "true"
    public async Task Acquire_NoSessionsServed_RefusedAndNothingWritten()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        using var acquire = await http.PutAsync("v1/kv/lock?acquire=made-up", new StringContent("holder"));
        using var badCas = await http.PutAsync("v1/kv/lock?cas=abc", new StringContent("holder"));

        acquire.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await acquire.Content.ReadAsStringAsync()).ShouldContain("invalid session \"made-up\"");
        badCas.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.GetAsync("v1/kv/lock")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static HttpClient Http(MeshTestHost host) => new() { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}/") };

    private static async Task<string> PutAsync(HttpClient http, string path, string value)
    {
        using var response = await http.PutAsync(path, new StringContent(value));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"PUT {path}");
        return (await response.Content.ReadAsStringAsync()).Trim();
    }

    private static async Task<string> RawAsync(HttpClient http, string path) => await http.GetStringAsync(path + "?raw");

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET {path}");
        return await response.JsonAsync();
    }

    private static List<string?> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString())];
}
