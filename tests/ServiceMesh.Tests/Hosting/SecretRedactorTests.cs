using ServiceMesh.Hosting;

namespace ServiceMesh.Tests.Hosting;

public sealed class SecretRedactorTests
{
    private const string Token = "lucid-secret-token-0123456789";
    private readonly SecretRedactor _redactor = new([Token, null]);

    [Theory]
    [InlineData("Request starting HTTP/1.1 PUT http://127.0.0.1:8500/v1/kv/x?token=guessed-value&flags=1 - -", "?token=[redacted]&flags=1")]
    [InlineData("GET /v1/kv/x?recurse&TOKEN=Guessed", "&TOKEN=[redacted]")]
    [InlineData("headers: X-Consul-Token: some-other-token, Accept: */*", "X-Consul-Token: [redacted],")]
    [InlineData("{\"Authorization\":\"Bearer abcdefgh12345678\"}", "\"Authorization\":\"Bearer [redacted]\"")]
    [InlineData("Invalid request line: 'Authorization: Basic dXNlcjpwYXNz\\x0D\\x0A'", "Authorization: Basic [redacted]")]
    [InlineData("sent bearer abcdefgh12345678 to the registry", "bearer [redacted] to")]
    public void Redact_CredentialByItsPlace_ValueMasked(string line, string expected) =>
        _redactor.Redact(line).ShouldContain(expected);

    [Fact]
    public void Redact_KnownTokenAnywhere_Masked()
    {
        var secret = Token + "/+";
        var line = $"value {secret} in a message, and escaped {Uri.EscapeDataString(secret)} too";

        var redacted = new SecretRedactor([secret]).Redact(line);

        redacted.ShouldNotContain(Token);
        redacted.ShouldContain("value [redacted] in a message, and escaped [redacted] too");
    }

    [Theory]
    [InlineData("service-mesh 0.1.0 listening on 127.0.0.1:8088 (discovery embedded; mutating routes bearer token required)")]
    [InlineData("Request finished HTTP/1.1 GET http://127.0.0.1:8088/services - 200 - application/json 3.1ms")]
    public void Redact_NoCredential_LineUnchanged(string line) => _redactor.Redact(line).ShouldBe(line);
}
