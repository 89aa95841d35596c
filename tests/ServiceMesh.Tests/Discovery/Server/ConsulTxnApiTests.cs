using System.Net;
using System.Text;
using System.Text.Json;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Discovery.Server;

/// <summary>PUT /v1/txn: Consul's api/txn_test.go (KV part) and agent/txn_endpoint_test.go scenarios over real HTTP.</summary>
public sealed class ConsulTxnApiTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact] // TestAPI_ClientTxn (KV operations)
    public async Task Txn_LockWithoutSessionThenWithOne_FirstRolledBackSecondApplied()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var id = await consul.CreateSessionAsync("""{"Checks":[]}""");
        var ops = $$$"""[{"KV":{"Verb":"lock","Key":"txn/key","Value":"{{{B64("test")}}}"SESSION}},{"KV":{"Verb":"get","Key":"txn/key"}}]""";

        var (status, body, _) = await consul.SendAsync(HttpMethod.Put, "v1/txn", ops.Replace("SESSION", "", StringComparison.Ordinal));
        var failed = JsonDocument.Parse(body).RootElement;
        var applied = await consul.PutAsync("v1/txn", ops.Replace("SESSION", $",\"Session\":\"{id}\"", StringComparison.Ordinal));

        status.ShouldBe(HttpStatusCode.Conflict);
        failed.GetProperty("Results").ValueKind.ShouldBe(JsonValueKind.Null);
        var errors = failed.GetProperty("Errors").EnumerateArray().ToList();
        errors.Count.ShouldBe(2);
        errors[0].GetProperty("OpIndex").GetInt32().ShouldBe(0);
        errors[0].GetProperty("What").GetString()!.ShouldContain("missing session");
        errors[1].GetProperty("What").GetString()!.ShouldContain("doesn't exist");

        applied.GetProperty("Errors").ValueKind.ShouldBe(JsonValueKind.Null);
        var results = applied.GetProperty("Results").EnumerateArray().Select(r => r.GetProperty("KV")).ToList();
        results.Count.ShouldBe(2);
        results[0].GetProperty("Session").GetString().ShouldBe(id);
        results[0].GetProperty("LockIndex").GetUInt64().ShouldBe(1UL);
        results[0].GetProperty("Value").ValueKind.ShouldBe(JsonValueKind.Null, "a write returns the entry without its value");
        results[1].GetProperty("Value").GetString().ShouldBe(B64("test"));
        (await consul.GetAsync("v1/kv/txn/key"))[0].GetProperty("Session").GetString().ShouldBe(id);
    }

    [Fact]
    public async Task Txn_OneCheckFails_NoWriteOfItLands()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        await consul.PutAsync("v1/kv/app/version", "1");
        var version = (await consul.GetAsync("v1/kv/app/version"))[0].GetProperty("ModifyIndex").GetUInt64();

        var (status, body, _) = await consul.SendAsync(HttpMethod.Put, "v1/txn", $$$"""
            [{"KV":{"Verb":"set","Key":"app/a","Value":"{{{B64("a")}}}"}},
             {"KV":{"Verb":"delete","Key":"app/version"}},
             {"KV":{"Verb":"check-index","Key":"app/version","Index":{{{version + 100}}}}}]
            """);

        status.ShouldBe(HttpStatusCode.Conflict);
        JsonDocument.Parse(body).RootElement.GetProperty("Errors")[0].GetProperty("OpIndex").GetInt32().ShouldBe(2);
        (await consul.SendAsync(HttpMethod.Get, "v1/kv/app/a")).Status.ShouldBe(HttpStatusCode.NotFound, "rolled back");
        (await consul.GetAsync("v1/kv/app/version"))[0].GetProperty("ModifyIndex").GetUInt64().ShouldBe(version, "rolled back");
    }

    [Fact]
    public async Task Txn_CasDeleteTreeAndGetTree_AppliedTogetherAtOneIndex()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        await consul.PutAsync("v1/kv/old/x", "x");

        var applied = await consul.PutAsync("v1/txn", $$$"""
            [{"KV":{"Verb":"cas","Key":"new/a","Index":0,"Value":"{{{B64("a")}}}","Flags":7}},
             {"KV":{"Verb":"set","Key":"new/b","Value":"{{{B64("b")}}}"}},
             {"KV":{"Verb":"delete-tree","Key":"old/"}},
             {"KV":{"Verb":"get-tree","Key":"new/"}},
             {"KV":{"Verb":"check-not-exists","Key":"old/x"}}]
            """);

        var results = applied.GetProperty("Results").EnumerateArray().Select(r => r.GetProperty("KV")).ToList();
        results.Select(r => r.GetProperty("Key").GetString()).ShouldBe(["new/a", "new/b", "new/a", "new/b"]);
        results.Select(r => r.GetProperty("ModifyIndex").GetUInt64()).Distinct().Count().ShouldBe(1, "one transaction, one index");
        results[2].GetProperty("Flags").GetUInt64().ShouldBe(7UL);
        (await consul.SendAsync(HttpMethod.Get, "v1/kv/old/x")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact] // TestTxnEndpoint_Bad_Size_Ops
    public async Task Txn_65Operations_413TooMany()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        var ops = "[" + string.Join(",", Enumerable.Range(0, 65).Select(i => $$$"""{"KV":{"Verb":"set","Key":"k{{{i}}}"}}""")) + "]";

        var (status, body, _) = await consul.SendAsync(HttpMethod.Put, "v1/txn", ops);

        status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        body.ShouldBe("Transaction contains too many operations (65 > 64)");
        (await consul.SendAsync(HttpMethod.Get, "v1/kv/k0")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact] // TestTxnEndpoint_Bad_JSON
    public async Task Txn_BadJson_400FailedToParse()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);

        var (status, body, _) = await consul.SendAsync(HttpMethod.Put, "v1/txn", "{\"KV\":");

        status.ShouldBe(HttpStatusCode.BadRequest);
        body.ShouldStartWith("Failed to parse body: ");
    }

    [Fact] // TestTxnEndpoint_KV_Actions (read-only part)
    public async Task Txn_ReadsOnly_AnsweredWithoutAWrite()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);
        await consul.PutAsync("v1/kv/r/a", "a");
        var (_, _, before) = await consul.SendAsync(HttpMethod.Get, "v1/kv/?recurse");

        var read = await consul.PutAsync("v1/txn", """[{"KV":{"Verb":"get","Key":"r/a"}},{"KV":{"Verb":"get-or-empty","Key":"r/missing"}},{"KV":{"Verb":"check-session","Key":"r/a"}}]""");
        var (_, _, after) = await consul.SendAsync(HttpMethod.Get, "v1/kv/?recurse");

        var results = read.GetProperty("Results").EnumerateArray().Select(r => r.GetProperty("KV")).ToList();
        results[0].GetProperty("Value").GetString().ShouldBe(B64("a"));
        results[1].GetProperty("Key").GetString().ShouldBe("r/missing");
        results[1].GetProperty("Value").ValueKind.ShouldBe(JsonValueKind.Null);
        after.ShouldBe(before);
    }

    [Fact]
    public async Task Txn_NodeOperation_ConflictNamingWhatIsServed()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);

        var (status, body, _) = await consul.SendAsync(HttpMethod.Put, "v1/txn", """[{"Node":{"Verb":"set","Node":{"Node":"foo","Address":"2.2.2.2"}}}]""");

        status.ShouldBe(HttpStatusCode.Conflict);
        JsonDocument.Parse(body).RootElement.GetProperty("Errors")[0].GetProperty("What").GetString()!.ShouldContain("KV operations");
    }

    [Fact]
    public async Task Txn_SetWithEmptyKey_ConflictMustProvideKey()
    {
        await using var host = await MeshTestHost.StartAsync();
        using var consul = new ConsulHttp(host);

        var (status, body, _) = await consul.SendAsync(HttpMethod.Put, "v1/txn", """[{"KV":{"Verb":"set","Key":"","Value":null}}]""");

        status.ShouldBe(HttpStatusCode.Conflict);
        JsonDocument.Parse(body).RootElement.GetProperty("Errors")[0].GetProperty("What").GetString().ShouldBe("Must provide key");
    }
}
