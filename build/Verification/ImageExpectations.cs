using ServiceMesh.Build.Docker;
using ServiceMesh.Build.Image;

namespace ServiceMesh.Build.Verification;

/// <summary>
/// What VerifyImage holds an image to; the defaults are the service-mesh image's contract (Dockerfile, DESIGN.md).
/// <paramref name="Version"/> is the version the build was asked for: labels, markers and the running binary must all say it.
/// </summary>
internal sealed record ImageExpectations(string Image, ImagePlatform Platform, long SizeBudgetBytes, TimeSpan RunTimeout, string Version)
{
    public const string Executable = "/app/service-mesh";
    public const string NonRootUser = "65532:65532";

    public static readonly string[] ConfigFiles = ["/app/config/service-mesh.yaml", "/app/config/services.yaml", "/app/config/policies.yaml"];

    public static readonly string[] WritableFolders = ["/app/certificates", "/app/envoy-configs", "/app/data", "/app/logs"];

    public static readonly string[] ExposedPorts = ["8088/tcp", "8500/tcp", "8501/tcp", "8502/tcp", "8600/tcp", "8600/udp"];

    public static readonly string[] Markers = ["application", "base", "configuration"];

    /// <summary>Environment defaults the image must set (DESIGN.md "Configuration").</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentDefaults = new Dictionary<string, string>
    {
        ["SERVICE_MESH_HOST"] = "0.0.0.0",
        ["HTTP_PORT"] = "8088",
        ["LOG_FORMAT"] = "json",
        ["CONFIG_PATH"] = "/app/config",
        ["CERTIFICATES_PATH"] = "/app/certificates",
        ["ENVOY_CONFIG_PATH"] = "/app/envoy-configs",
        ["DATA_PATH"] = "/app/data",
    };

    /// <summary>Files a distroless image must not have: a shell, a package manager, an interpreter.</summary>
    public static readonly string[] ForbiddenFiles = ["/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash", "/bin/busybox", "/usr/bin/apt", "/usr/bin/apt-get", "/usr/bin/dpkg", "/usr/bin/python3", "/usr/bin/python"];

    public static readonly HealthcheckFacts Healthcheck = new(["CMD", Executable, "healthcheck"], TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), 3);

    /// <summary>The line the runtime's preflight prints when the certificates folder cannot be written.</summary>
    public const string PreflightVariable = "CERTIFICATES_PATH=";
    public const string PreflightProblem = "is not writable";
}
