using System.Security.Cryptography;
using System.Text;
using ServiceMesh.Install;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Install;

public sealed class MarkerDigestTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    [Fact]
    public async Task ComputeAsync_TwoFiles_IsSha256OfPathNewlineHashNewlineInOrdinalOrder()
    {
        _folder.WriteFile("service-mesh", "binary");
        _folder.WriteFile("config/services.yaml", "services: []\n");
        var expectedText = $"config/services.yaml\n{Hex(SHA256.HashData("services: []\n"u8))}\nservice-mesh\n{Hex(SHA256.HashData("binary"u8))}\n";

        var digest = await MarkerDigest.ComputeAsync(_folder.Path, ["config/services.yaml", "service-mesh"], default);

        digest.ShouldBe(Hex(SHA256.HashData(Encoding.UTF8.GetBytes(expectedText))));
        digest.Length.ShouldBe(64);
    }

    [Fact]
    public void Compute_OrderOfInput_DoesNotMatter()
    {
        (string, byte[]) a = ("a", [1]), b = ("B", [2]);

        MarkerDigest.Compute([a, b]).ShouldBe(MarkerDigest.Compute([b, a]));
    }

    [Fact]
    public async Task SerializeThenParse_CreatedMarker_RoundTrips()
    {
        _folder.WriteFile("app/service-mesh", "binary");
        var marker = await MarkerDigest.CreateAsync("application", "1.0.0", "unknown", new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero),
            "/app", ["service-mesh"], rootPrefix: _folder.Path, default);

        var json = MarkerDigest.Serialize(marker);
        var parsed = MarkerDigest.Parse(json);

        json.ShouldContain("\"buildDate\": \"2026-11-28T10:00:00Z\"");
        parsed.ShouldBeEquivalentTo(marker);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("{", "not valid JSON")]
    [InlineData("""{"name":"app","version":"1","revision":"unknown","buildDate":"2026-11-28T10:00:00Z","root":"/app","files":["a"]}""", "field 'sha256' is missing")]
    [InlineData("""{"name":"app","version":"1","revision":"abc","buildDate":"2026-11-28T10:00:00Z","root":"/app","files":["a"],"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}""", "field 'revision'")]
    [InlineData("""{"name":"app","version":"1","revision":"unknown","buildDate":"yesterday","root":"/app","files":["a"],"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}""", "field 'buildDate'")]
    [InlineData("""{"name":"app","version":"1","revision":"unknown","buildDate":"2026-11-28T10:00:00Z","root":"/app","files":["../etc/passwd"],"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}""", "without '..'")]
    [InlineData("""{"name":"app","version":"1","revision":"unknown","buildDate":"2026-11-28T10:00:00Z","root":"/app","files":["b","a"],"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}""", "expected sorted")]
    [InlineData("""{"name":"app","version":"1","revision":"unknown","buildDate":"2026-11-28T10:00:00Z","root":"/app","files":["a","a"],"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}""", "without duplicates")]
    [InlineData("""{"name":"app","version":"1","revision":"unknown","buildDate":"2026-11-28T10:00:00Z","root":"/app","files":["a"],"sha256":"ABC"}""", "field 'sha256'")]
    public void Parse_InvalidMarker_ThrowsNamingTheField(string json, string expected) =>
        Should.Throw<InstallMarkerFormatException>(() => MarkerDigest.Parse(json)).Message.ShouldContain(expected);
}
