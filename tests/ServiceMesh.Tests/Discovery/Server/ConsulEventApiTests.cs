using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Tests.Support;
using static ServiceMesh.Tests.Discovery.DiscoveryTestSupport;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>User events, from Consul's api/event_test.go and agent/event_endpoint_test.go, over real HTTP.</summary>
public sealed class ConsulEventApiTests
{
    [Fact] // TestAPI_EventFireList
    public async Task FireThenList_LastEventIsTheFiredOne_IndexFromItsId()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        var fired = await FireAsync(http, "v1/event/fire/foo");
        var id = fired.GetProperty("ID").GetString()!;
        using var list = await http.GetAsync("v1/event/list");
        var events = await list.JsonAsync();

        id.ShouldNotBeNullOrEmpty();
        events[events.GetArrayLength() - 1].GetProperty("ID").GetString().ShouldBe(id);
        list.Headers.GetValues("X-Consul-Index").Single().ShouldBe(IdToIndex(id).ToString(CultureInfo.InvariantCulture));
    }

    [Fact] // TestEventFire
    public async Task Fire_PayloadAndFilters_EchoedWithVersion1AndLTime0()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);

        var fired = await FireAsync(http, "v1/event/fire/test?node=Node&service=foo&tag=bar", "test");
        var bare = await FireAsync(http, "v1/event/fire/bare");

        fired.GetProperty("Name").GetString().ShouldBe("test");
        Encoding.UTF8.GetString(fired.GetProperty("Payload").GetBytesFromBase64()).ShouldBe("test");
        fired.GetProperty("NodeFilter").GetString().ShouldBe("Node");
        fired.GetProperty("ServiceFilter").GetString().ShouldBe("foo");
        fired.GetProperty("TagFilter").GetString().ShouldBe("bar");
        fired.GetProperty("Version").GetInt32().ShouldBe(1);
        fired.GetProperty("LTime").GetUInt64().ShouldBe(0UL);
        bare.GetProperty("Payload").ValueKind.ShouldBe(JsonValueKind.Null, bare.GetRawText());
    }

    [Fact] // TestEventList, TestEventList_Filter, TestEventList_EventBufOrder
    public async Task List_NameFilter_OnlyThoseInFiringOrderWithLamportTimes()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        var ids = new List<string>();
        foreach (var name in new[] { "foo", "bar", "foo", "foo", "bar" })
        {
            ids.Add((await FireAsync(http, $"v1/event/fire/{name}")).GetProperty("ID").GetString()!);
        }

        var all = await GetJsonAsync(http, "v1/event/list");
        var foo = await GetJsonAsync(http, "v1/event/list?name=foo");

        all.EnumerateArray().Select(e => e.GetProperty("LTime").GetUInt64()).ShouldBe([2UL, 3UL, 4UL, 5UL, 6UL]);
        foo.EnumerateArray().Select(e => e.GetProperty("ID").GetString()).ShouldBe([ids[0], ids[2], ids[3]]);
        foo.EnumerateArray().Select(e => e.GetProperty("LTime").GetUInt64()).ShouldBe([2UL, 4UL, 5UL]);
    }

    [Fact] // TestEventList_Blocking
    public async Task List_BlockingOnTheIndex_ReturnsWhenTheNextEventArrives()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        await FireAsync(http, "v1/event/fire/first");
        using var first = await http.GetAsync("v1/event/list");
        var index = first.Headers.GetValues("X-Consul-Index").Single();

        var blocked = http.GetAsync($"v1/event/list?index={index}&wait=30s");
        await Task.Delay(200);
        blocked.IsCompleted.ShouldBeFalse("the index is the last event's: the query waits for a newer one");
        var second = await FireAsync(http, "v1/event/fire/second");
        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        var events = await woken.JsonAsync();

        events.EnumerateArray().Select(e => e.GetProperty("Name").GetString()).ShouldBe(["first", "second"]);
        woken.Headers.GetValues("X-Consul-Index").Single().ShouldBe(IdToIndex(second.GetProperty("ID").GetString()!).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task List_BlockingWithNoNewEvent_AnswersTheSameListAfterTheWait()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        using var empty = await http.GetAsync("v1/event/list");
        empty.Headers.GetValues("X-Consul-Index").Single().ShouldBe("1", "an empty list has index 1, never 0 (no hot watch loop)");

        var started = DateTime.UtcNow;
        using var waited = await http.GetAsync("v1/event/list?index=1&wait=300ms");

        (DateTime.UtcNow - started).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
        (await waited.JsonAsync()).GetArrayLength().ShouldBe(0);
        waited.Headers.GetValues("X-Consul-Index").Single().ShouldBe("1");
    }

    [Fact]
    public async Task Fire_FiltersNotMatchingThisAgent_AnsweredButNotListed()
    {
        await using var host = await MeshTestHost.StartAsync();
        await ConsulClientFor(host).RegisterAsync(Service("web", 8080, "web-1", tags: "blue"), default);
        using var http = Http(host);

        await FireAsync(http, "v1/event/fire/other-node?node=^elsewhere$");
        await FireAsync(http, "v1/event/fire/other-service?service=db");
        await FireAsync(http, "v1/event/fire/other-tag?service=web&tag=green");
        await FireAsync(http, "v1/event/fire/here?node=service-m.*&service=^we&tag=bl");
        await FireAsync(http, "v1/event/fire/_rexec");

        var names = (await GetJsonAsync(http, "v1/event/list")).EnumerateArray().Select(e => e.GetProperty("Name").GetString());
        names.ShouldBe(["here"]);
    }

    [Fact]
    public async Task Ring_MoreThan256Events_OnlyTheLast256OldestFirst()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var http = Http(host);
        for (var i = 0; i < 260; i++)
        {
            await FireAsync(http, $"v1/event/fire/e{i}");
        }

        var events = await GetJsonAsync(http, "v1/event/list");

        events.GetArrayLength().ShouldBe(256);
        events[0].GetProperty("Name").GetString().ShouldBe("e4");
        events[255].GetProperty("Name").GetString().ShouldBe("e259");
    }

    [Fact]
    public async Task Fire_MissingNameBadFilterOrNoToken_ConsulsRefusals()
    {
        const string token = "lucid-test-token-0123456789";
        await using var host = await MeshTestHost.StartAsync(settings: s => s["SERVICE_MESH_API_TOKEN"] = token);
        using var anonymous = Http(host);
        using var http = Http(host);
        http.DefaultRequestHeaders.Add("X-Consul-Token", token);

        var (noToken, _) = await PutAsync(anonymous, "v1/event/fire/deploy");
        var (missing, missingText) = await PutAsync(http, "v1/event/fire/");
        var (tagOnly, tagOnlyText) = await PutAsync(http, "v1/event/fire/deploy?tag=blue");
        var (badRegex, badRegexText) = await PutAsync(http, "v1/event/fire/deploy?node=(");

        noToken.ShouldBe(HttpStatusCode.Forbidden);
        (missing, missingText).ShouldBe((HttpStatusCode.BadRequest, "Missing name"));
        (tagOnly, tagOnlyText).ShouldBe((HttpStatusCode.InternalServerError, "Cannot provide tag filter without service filter"));
        badRegex.ShouldBe(HttpStatusCode.InternalServerError);
        badRegexText.ShouldStartWith("Invalid node filter: ");
        (await GetJsonAsync(http, "v1/event/list")).GetArrayLength().ShouldBe(0);
    }

    // api/event.go IDToIndex, written here from the fact (the UUID's two 64-bit halves XORed), not from the server's code.
    [Fact]
    public async Task Fire_PayloadOverSerfsLimit_500AndNotListed()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);

        var (status, body, _) = await consul.SendAsync(HttpMethod.Put, "v1/event/fire/big", new string('x', 600));

        status.ShouldBe(HttpStatusCode.InternalServerError);
        body.ShouldBe("user event exceeds configured limit of 512 bytes before encoding");
        (await consul.GetAsync("v1/event/list?name=big")).GetArrayLength().ShouldBe(0);
    }

    private static ulong IdToIndex(string id)
    {
        var value = UInt128.Parse(id.Replace("-", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (ulong)(value >> 64) ^ (ulong)value;
    }

    private static HttpClient Http(MeshTestHost host) => new() { BaseAddress = new Uri($"http://127.0.0.1:{host.Options.EmbeddedConsulHttpPort}/") };

    private static async Task<JsonElement> FireAsync(HttpClient http, string path, string? payload = null)
    {
        using var response = await http.PutAsync(path, payload is null ? null : new StringContent(payload));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"PUT {path}: {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    private static async Task<(HttpStatusCode Status, string Text)> PutAsync(HttpClient http, string path)
    {
        using var response = await http.PutAsync(path, null);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET {path}");
        return await response.JsonAsync();
    }
}
