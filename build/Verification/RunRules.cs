using System.Diagnostics;
using ServiceMesh.Build.Docker;

namespace ServiceMesh.Build.Verification;

/// <summary>
/// Runs the image as production does (read-only root, user 65532, host network) until healthy, exercises /health, SVID,
/// CRL and Consul TLS; without a writable certificates folder it must stop at preflight naming the folder.
/// </summary>
internal sealed class RunRules
{
    /// <summary>The image's 30 s interval would make a verification take minutes; command and 10 s timeout stay the image's own (a probe under qemu on a loaded machine takes several seconds).</summary>
    public static readonly HealthcheckFacts ShortHealthcheck = ImageExpectations.Healthcheck with { Interval = TimeSpan.FromSeconds(1) };

    private readonly IContainerEngine _engine;
    private readonly IHttpProbe _http;
    private readonly TimeSpan _pollInterval;

    public RunRules(IContainerEngine engine, IHttpProbe http, TimeSpan pollInterval)
    {
        _engine = engine;
        _http = http;
        _pollInterval = pollInterval;
    }

    public async Task<IReadOnlyList<CheckResult>> CheckAsync(ImageExpectations expected, MeshPorts ports, CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        results.AddRange(await HealthyRunAsync(expected, ports, cancellationToken));
        results.Add(await PreflightRunAsync(expected, ports, cancellationToken));
        return results;
    }

    public static ContainerSpec ProductionLikeSpec(string image, MeshPorts ports, bool certificatesWritable = true) => new(
        image,
        NetworkMode: "host",
        // Host network: the image's services.yaml entries are probed on loopback, not looked up by their container names.
        Environment: new Dictionary<string, string>(ports.Environment) { ["SERVICE_MESH_HOST"] = "127.0.0.1", ["SERVICES_DEFAULT_ADDRESS"] = "127.0.0.1" },
        Volumes: ImageExpectations.WritableFolders.Where(f => certificatesWritable || f != CertificatesFolder).Select(f => new VolumeMount(f)).ToList(),
        User: ImageExpectations.NonRootUser,
        ReadOnlyRootFilesystem: true,
        TmpfsFolders: ["/tmp"],
        Healthcheck: ShortHealthcheck,
        ReadOnlyEmptyFolders: certificatesWritable ? null : [CertificatesFolder]);

    private const string CertificatesFolder = "/app/certificates";

    private async Task<IReadOnlyList<CheckResult>> HealthyRunAsync(ImageExpectations expected, MeshPorts ports, CancellationToken cancellationToken)
    {
        var id = await _engine.CreateContainerAsync(ProductionLikeSpec(expected.Image, ports), cancellationToken);
        try
        {
            await _engine.StartContainerAsync(id, cancellationToken);
            var clock = Stopwatch.StartNew();
            var status = await _engine.WaitForAsync(id, expected.RunTimeout, _pollInterval, s => s.IsSettled, cancellationToken);
            var healthy = status.Running && status.Health == "healthy";
            var results = new List<CheckResult>
            {
                CheckResult.When(healthy, "run: healthy", healthy
                    ? $"Docker reported healthy after {clock.Elapsed.TotalSeconds:0.0} s (read-only root, {ImageExpectations.NonRootUser}, host network, port {ports.Http})"
                    : $"{Describe(status)} after {clock.Elapsed.TotalSeconds:0.0} s; last log lines: {await LastLogLinesAsync(id, cancellationToken)}"),
            };
            if (!healthy)
            {
                return results;
            }

            var url = new Uri($"http://127.0.0.1:{ports.Http}/health");
            var answer = await _http.SendAsync(ProbeRequest.Get(url), cancellationToken);
            results.Add(CheckResult.When(answer.IsOk, "run: GET /health", $"{answer.Status} from {url}: {Shorten(answer.Body)}"));
            if (answer.IsOk)
            {
                results.Add(RunsVersion(answer, expected.Version));
            }
            var issued = await IssuesSvidAsync(ports, cancellationToken);
            results.Add(issued);
            if (issued.Passed)
            {
                results.Add(await RevokesIntoCrlAsync(ports, cancellationToken));
            }

            results.Add(await ConsulOverTlsAsync(ports, cancellationToken));
            await _engine.StopContainerAsync(id, TimeSpan.FromSeconds(10), cancellationToken);
            var stopped = await _engine.InspectContainerAsync(id, cancellationToken);
            results.Add(CheckResult.When(!stopped.Running && stopped.ExitCode == 0, "run: clean stop on SIGTERM", $"exit code {stopped.ExitCode}"));
            return results;
        }
        finally
        {
            await _engine.RemoveContainerAsync(id, CancellationToken.None);
        }
    }

    /// <summary>The binary that runs is the one the build was asked for: /health names its version (<c>1.2.3+&lt;sha&gt;</c>).</summary>
    private static CheckResult RunsVersion(HttpAnswer health, string expected)
    {
        string? version = null;
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(health.Body);
            version = json.RootElement.TryGetProperty("version", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // reported below as no version
        }

        var matches = version is not null && (version == expected || version.StartsWith(expected + "+", StringComparison.Ordinal));
        return CheckResult.When(matches, "run: version", version is null
            ? $"/health names no version: {Shorten(health.Body)}"
            : matches ? $"{version}" : $"runs {version}, expected {expected}: the image holds another build's binary");
    }

    /// <summary>The arm64 binary generates a key and signs a leaf (OpenSSL through .NET and directly) and writes it to its volume.</summary>
    private async Task<CheckResult> IssuesSvidAsync(MeshPorts ports, CancellationToken cancellationToken)
    {
        var url = new Uri($"http://127.0.0.1:{ports.Http}/certificates/{ProbeService}");
        var answer = await _http.SendAsync(new ProbeRequest(HttpMethod.Post, url), cancellationToken);
        var issued = answer.IsSuccess && answer.Body.Contains($"/svc/{ProbeService}\"", StringComparison.Ordinal);
        return CheckResult.When(issued, "run: issues an SVID", $"{answer.Status} from POST {url}: {Shorten(answer.Body)}");
    }

    /// <summary>Revoking the probe's SVID re-signs the revocation list (a CRL built by the AOT binary), and it is served.</summary>
    private async Task<CheckResult> RevokesIntoCrlAsync(MeshPorts ports, CancellationToken cancellationToken)
    {
        const string check = "run: revocation list published";
        var url = new Uri($"http://127.0.0.1:{ports.Http}/certificates/{ProbeService}");
        var revoked = await _http.SendAsync(new ProbeRequest(HttpMethod.Delete, url), cancellationToken);
        if (!revoked.IsOk || !revoked.Body.Contains("they refuse it", StringComparison.Ordinal))
        {
            return CheckResult.Fail(check, $"{revoked.Status} from DELETE {url}: {Shorten(revoked.Body)}");
        }

        var crlUrl = new Uri($"http://127.0.0.1:{ports.Http}/certificates/ca/crl");
        var crl = await _http.SendAsync(ProbeRequest.Get(crlUrl), cancellationToken);
        return CheckResult.When(crl.IsOk && crl.Body.Contains("-----BEGIN X509 CRL-----", StringComparison.Ordinal), check,
            $"{crl.Status} from {crlUrl}: {Shorten(crl.Body)}");
    }

    /// <summary>The Consul API on the HTTPS port answers through TLS that verifies against the mesh's own trust bundle (and nothing else).</summary>
    private async Task<CheckResult> ConsulOverTlsAsync(MeshPorts ports, CancellationToken cancellationToken)
    {
        const string check = "run: Consul API over TLS";
        var bundleUrl = new Uri($"http://127.0.0.1:{ports.Http}/certificates/ca");
        // JSON {"ca_certificate": ...} by default (the earlier API's answer); the PEM bundle on request.
        var bundle = await _http.SendAsync(new ProbeRequest(HttpMethod.Get, bundleUrl, Accept: "application/x-pem-file"), cancellationToken);
        if (!bundle.IsOk || !bundle.Body.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            return CheckResult.Fail(check, $"no trust bundle: {bundle.Status} from {bundleUrl}: {Shorten(bundle.Body)}");
        }

        var url = new Uri($"https://127.0.0.1:{ports.ConsulHttps}/v1/status/leader");
        var answer = await _http.SendAsync(ProbeRequest.Get(url, bundle.Body), cancellationToken);
        return CheckResult.When(answer.IsOk, check, $"{answer.Status} from {url} (trusting only /certificates/ca): {Shorten(answer.Body)}");
    }

    internal const string ProbeService = "verify-image";

    /// <summary>With a read-only folder the image must refuse to start, saying which folder, rather than crash on its first write.</summary>
    private async Task<CheckResult> PreflightRunAsync(ImageExpectations expected, MeshPorts ports, CancellationToken cancellationToken)
    {
        const string check = "run: refuses a read-only certificates folder";
        var id = await _engine.CreateContainerAsync(ProductionLikeSpec(expected.Image, ports, certificatesWritable: false), cancellationToken);
        try
        {
            await _engine.StartContainerAsync(id, cancellationToken);
            var status = await _engine.WaitForAsync(id, expected.RunTimeout, _pollInterval, s => !s.Running, cancellationToken);
            var logs = await _engine.ReadLogsAsync(id, cancellationToken);
            var line = logs.Split('\n').FirstOrDefault(l => l.Contains(ImageExpectations.PreflightVariable, StringComparison.Ordinal)
                                                            && l.Contains(ImageExpectations.PreflightProblem, StringComparison.Ordinal));
            if (status.Running)
            {
                return CheckResult.Fail(check, $"still running after {expected.RunTimeout.TotalSeconds} s with /app/certificates read-only");
            }

            return CheckResult.When(status.ExitCode != 0 && line is not null, check,
                line is null ? $"exit code {status.ExitCode}, but no '{ImageExpectations.PreflightVariable}… {ImageExpectations.PreflightProblem}' line in its logs" : $"exit code {status.ExitCode}: {Shorten(line.Trim())}");
        }
        finally
        {
            await _engine.RemoveContainerAsync(id, CancellationToken.None);
        }
    }

    private async Task<string> LastLogLinesAsync(string id, CancellationToken cancellationToken)
    {
        var lines = (await _engine.ReadLogsAsync(id, cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0 ? "(none)" : Shorten(string.Join(" | ", lines.TakeLast(3)));
    }

    private static string Describe(ContainerStatus status) =>
        !status.Running ? $"exited with {status.ExitCode}"
        : status.Health is null ? "running without a health status"
        : $"health '{status.Health}'" + (status.LastProbe is { Length: > 0 } probe ? $" (last probe: {Shorten(probe)})" : "");

    private static string Shorten(string text) => text.Length <= 160 ? text.ReplaceLineEndings(" ") : text[..160].ReplaceLineEndings(" ") + "…";
}
