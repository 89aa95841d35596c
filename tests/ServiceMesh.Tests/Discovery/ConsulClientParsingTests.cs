using System.Net;
using System.Text;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Tests.Discovery;

/// <summary>Our client reading responses as Consul's API documentation shows them (fixtures written from the docs).</summary>
public sealed class ConsulClientParsingTests
{
    private const string HealthServiceFixture = """
        [{"Node":{"ID":"40e4a748-2192-161a-0510-9bf59fe950b5","Node":"foobar","Address":"10.1.10.12","Datacenter":"dc1","TaggedAddresses":{"lan":"10.1.10.12"},"Meta":{"instance_type":"t2.medium"},"CreateIndex":1,"ModifyIndex":1},
          "Service":{"ID":"redis","Service":"redis","Tags":["primary"],"Address":"","TaggedAddresses":{},"Meta":{"redis_version":"4.0"},"Port":8000,"Weights":{"Passing":10,"Warning":1},"Namespace":"default"},
          "Checks":[{"Node":"foobar","CheckID":"service:redis","Name":"Service 'redis' check","Status":"passing","Notes":"","Output":"","ServiceID":"redis","ServiceName":"redis","ServiceTags":["primary"],"Namespace":"default"},
                    {"Node":"foobar","CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing","Notes":"","Output":"","ServiceID":"","ServiceName":"","ServiceTags":[],"Namespace":"default"}]}]
        """;

    [Fact]
    public async Task HealthService_DocumentedResponse_EntriesChecksAndHeaders()
    {
        var (client, handler) = ClientAnswering(HealthServiceFixture, index: "1234");

        var result = await client.HealthServiceAsync("redis", passingOnly: true, new QueryOptions(1200, TimeSpan.FromSeconds(30)), default);

        handler.LastUri!.PathAndQuery.ShouldBe("/v1/health/service/redis?passing&index=1200&wait=30s");
        result.Index.ShouldBe(1234UL);
        result.KnownLeader.ShouldBeTrue();
        result.LastContact.ShouldBe(TimeSpan.FromMilliseconds(12));
        var entry = result.Value.Single();
        (entry.Node.Address, entry.Service.Id, entry.Service.Port, entry.Service.Meta["redis_version"]).ShouldBe(("10.1.10.12", "redis", 8000, "4.0"));
        entry.Checks.Select(c => c.CheckId).ShouldBe(["service:redis", "serfHealth"]);
    }

    [Fact]
    public async Task CatalogServices_DocumentedResponse_NamesToTags()
    {
        var (client, _) = ClientAnswering("""{"consul":[],"redis":[],"postgresql":["primary","secondary"]}""", index: "7");

        var result = await client.CatalogServicesAsync(null, default);

        result.Value["postgresql"].ShouldBe(["primary", "secondary"]);
        result.Value["consul"].ShouldBeEmpty();
    }

    [Fact]
    public async Task KvGet_DocumentedResponse_DecodesBase64Value()
    {
        var (client, handler) = ClientAnswering("""[{"CreateIndex":100,"ModifyIndex":200,"LockIndex":200,"Key":"zip","Flags":0,"Value":"dGVzdA==","Session":"adf4238a-882b-9ddc-4a9d-5b6758e4159e"}]""", index: "200");

        var value = await client.KvGetAsync("zip", default);

        Encoding.UTF8.GetString(value!).ShouldBe("test");
        handler.LastUri!.AbsolutePath.ShouldBe("/v1/kv/zip");
    }

    [Fact]
    public async Task Register_WritesConsulNamesAndSendsToken()
    {
        var (client, handler) = ClientAnswering("", index: null, token: "secret-token");

        await client.RegisterAsync(new AgentServiceRegistration
        {
            Id = "redis1", Name = "redis", Port = 8000,
            Check = new AgentServiceCheck { Http = "http://localhost:5000/health", Interval = "10s", DeregisterCriticalServiceAfter = "90m" },
        }, default);

        handler.LastBody.ShouldBe("""{"ID":"redis1","Name":"redis","Port":8000,"Check":{"HTTP":"http://localhost:5000/health","Interval":"10s","DeregisterCriticalServiceAfter":"90m"}}""");
        handler.LastToken.ShouldBe("secret-token");
    }

    [Theory]
    [InlineData(10UL, 12UL, 12UL)]
    [InlineData(10UL, 5UL, 0UL)]
    [InlineData(0UL, 0UL, 1UL)]
    [InlineData(10UL, 10UL, 10UL)]
    public void BlockingIndex_Next_FollowsConsulRules(ulong previous, ulong returned, ulong expected) =>
        BlockingIndex.Next(previous, returned).ShouldBe(expected);

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("250ms", 250)]
    [InlineData("1h", 3_600_000)]
    public void GoDuration_RoundTrip_ConsulDurations(string text, int milliseconds)
    {
        GoDuration.TryParse(text, out var duration).ShouldBeTrue();
        duration.ShouldBe(TimeSpan.FromMilliseconds(milliseconds));
        GoDuration.Format(duration).ShouldBe(text);
    }

    private static (ConsulClient, RecordingHandler) ClientAnswering(string body, string? index, string? token = null)
    {
        var handler = new RecordingHandler(body, index);
        var endpoint = new ConsulEndpoint(new Uri("http://consul.test:8500/"), token);
        return (new ConsulClient(new HttpClient(handler), endpoint), handler);
    }

    private sealed class RecordingHandler(string body, string? index) : HttpMessageHandler
    {
        public Uri? LastUri { get; private set; }
        public string? LastBody { get; private set; }
        public string? LastToken { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastUri = request.RequestUri;
            LastBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            LastToken = request.Headers.TryGetValues("X-Consul-Token", out var values) ? values.Single() : null;
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (index is not null)
            {
                response.Headers.Add("X-Consul-Index", index);
                response.Headers.Add("X-Consul-KnownLeader", "true");
                response.Headers.Add("X-Consul-LastContact", "12");
            }
            return response;
        }
    }
}
