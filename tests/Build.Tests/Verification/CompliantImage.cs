using System.Security.Cryptography;
using System.Text;
using ServiceMesh.Build.Docker;
using ServiceMesh.Build.Image;
using ServiceMesh.Build.Verification;
using ServiceMesh.Install;

namespace ServiceMesh.Build.Tests.Verification;

/// <summary>A fake service-mesh image that passes every rule; each test breaks one thing.</summary>
internal static class CompliantImage
{
    public const string Reference = "pickme/lucid-service-mesh:1.2.3-arm64";
    public const string Revision = "0123456789abcdef0123456789abcdef01234567";

    public static readonly ImageExpectations Expectations = new(Reference, ImagePlatform.LinuxArm64, 40_000_000, TimeSpan.FromSeconds(30), "1.2.3");

    public static readonly ContainerStatus Healthy = new("running", true, 0, "healthy");

    public static readonly ContainerStatus Starting = new("running", true, 0, "starting");

    public static ImageFacts Facts() => new(
        "sha256:feed",
        "linux",
        "arm64",
        26_000_000,
        "65532:65532",
        "/app",
        ["/app/service-mesh"],
        ImageExpectations.Healthcheck,
        [.. ImageExpectations.ExposedPorts],
        ["PATH=/usr/bin", .. ImageExpectations.EnvironmentDefaults.Select(e => $"{e.Key}={e.Value}"), "LOGS_PATH=/app/logs"],
        [.. ImageExpectations.WritableFolders],
        new Dictionary<string, string>
        {
            ["org.opencontainers.image.created"] = "2026-11-28T10:00:00Z",
            ["org.opencontainers.image.revision"] = Revision,
            ["org.opencontainers.image.version"] = "1.2.3",
            ["org.opencontainers.image.source"] = "https://github.com/pickme/lucid-service-mesh",
            ["org.opencontainers.image.title"] = "lucid-service-mesh",
            ["org.opencontainers.image.description"] = "service mesh",
            ["org.opencontainers.image.licenses"] = "MIT",
            ["org.opencontainers.image.base.name"] = "lucid/distroless-base:0123456789abcdef-arm64",
        });

    public static Dictionary<string, FakeFile> Files()
    {
        var files = new Dictionary<string, FakeFile>(StringComparer.Ordinal)
        {
            ["/app/service-mesh"] = new([0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0], (UnixFileMode)0b111_101_101),
            ["/app/config/service-mesh.yaml"] = Text("server:\n  http_port: 8088\n"),
            ["/app/config/services.yaml"] = Text("services: []\n"),
            ["/app/config/policies.yaml"] = Text("policies: []\n"),
            ["/etc/ssl/certs/ca-certificates.crt"] = Text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
            ["/etc/passwd"] = Text("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"),
            ["/etc/os-release"] = Text("ID=debian\n"),
            ["/var/lib/dpkg/status.d/libc6"] = Text("Package: libc6\nStatus: install ok installed\n"),
        };
        AddMarker(files, "application", "/app", ["service-mesh"]);
        AddMarker(files, "configuration", "/app", ["config/policies.yaml", "config/service-mesh.yaml", "config/services.yaml"]);
        AddMarker(files, "base", "/", ["etc/os-release", "etc/passwd", "var/lib/dpkg/status.d/libc6"]);
        return files;
    }

    public static FakeContainerEngine Engine(ImageFacts? facts = null, Dictionary<string, FakeFile>? files = null) => new(facts ?? Facts(), files ?? Files())
    {
        Runs = spec => spec.ReadOnlyEmptyFolders is { Count: > 0 }
            ? new FakeRun([new("exited", false, 73, null)], "storage error: CERTIFICATES_PATH=/app/certificates is not writable: Read-only file system. Fix: mount a writable volume\n")
            : new FakeRun([Starting, Healthy]),
    };

    public const string Bundle = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    /// <summary>What a healthy container answers: /health, an SVID for the probe service, the bundle, and the leader over TLS.</summary>
    public static FakeHttpProbe HealthyHttp() => new(HealthyAnswer);

    public static HttpAnswer HealthyAnswer(ProbeRequest request) => request.Url.AbsolutePath switch
    {
        "/health" => new HttpAnswer(200, $"{{\"status\":\"healthy\",\"service\":\"lucid-service-mesh\",\"version\":\"1.2.3+{Revision}\"}}"),
        "/certificates/verify-image" when request.Method == HttpMethod.Delete =>
            new HttpAnswer(200, "{\"service\":\"verify-image\",\"detail\":\"files removed; serial recorded in ca.revoked.json; listed in the revocation list the sidecars check: they refuse it\"}"),
        "/certificates/ca/crl" => new HttpAnswer(200, "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n"),
        "/certificates/verify-image" => new HttpAnswer(200, "{\"service\":\"verify-image\",\"spiffe_id\":\"spiffe://lucid.local/ns/default/dc/lucid-dc/svc/verify-image\"}"),
        "/certificates/ca" when request.Accept == "application/x-pem-file" => new HttpAnswer(200, Bundle),
        "/certificates/ca" => new HttpAnswer(200, $"{{\"ca_certificate\":\"{Bundle.Replace("\n", "\\n", StringComparison.Ordinal)}\"}}"),
        "/v1/status/leader" when request.TrustedCaPem == Bundle => new HttpAnswer(200, "\"127.0.0.1:8300\""),
        _ => new HttpAnswer(404, "not found"),
    };

    public static async Task<IReadOnlyList<CheckResult>> VerifyAsync(FakeContainerEngine engine, IHttpProbe? http = null, ImageExpectations? expectations = null) =>
        await new ImageVerifier(engine, http ?? HealthyHttp(), TimeSpan.Zero).VerifyAsync(expectations ?? Expectations, new MeshPorts(18088, 18500, 18501, 18502, 18600), CancellationToken.None);

    public static FakeFile Text(string text) => new(Encoding.UTF8.GetBytes(text));

    private static void AddMarker(Dictionary<string, FakeFile> files, string name, string root, string[] relative)
    {
        var digest = MarkerDigest.Compute(relative.Select(r => (r, SHA256.HashData(files[root.TrimEnd('/') + "/" + r].Content))));
        var marker = new InstallMarker(name, "1.2.3", Revision, new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), root, relative, digest);
        files[$"/app/markers/{name}.json"] = Text(MarkerDigest.Serialize(marker));
    }
}
