namespace ServiceMesh.Build.Docker;

/// <summary>What a machine needs for the image pipeline, as Debian packages and the daemon settings that keep it isolated.</summary>
internal static class EngineRequirements
{
    /// <summary>The engine, arm64 emulation and compose v1 (the only compose on our apt mirror).</summary>
    public static readonly IReadOnlyList<string> EnginePackages = ["docker.io", "qemu-user-static", "binfmt-support", "docker-compose"];

    /// <summary>
    /// What to install beside an engine that already answers: never the engine package itself when a docker CLI is
    /// there (the engine may be Docker CE, whose packages conflict with docker.io), and compose only when neither
    /// front end is found. Debian ships its CLI only inside docker.io, so that stays when no CLI is found.
    /// </summary>
    public static IReadOnlyList<string> BesideAnsweringEngine(IEnumerable<string> packages, bool hasDockerCli, bool hasCompose) =>
        packages.Where(p => !(p == "docker.io" && hasDockerCli) && !(p == "docker-compose" && hasCompose)).ToList();

    /// <summary>
    /// daemon.json keys: no default bridge and no iptables, so containers can only use the host's loopback
    /// (<c>--network host</c>) or no network at all.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, bool> IsolatedDaemonSettings = new Dictionary<string, bool>
    {
        ["iptables"] = false,
        ["ip-masq"] = false,
        ["ip-forward"] = false,
    };

    public const string NoBridge = "none";

    /// <summary>Registry traffic goes to a closed loopback port: an accidental pull fails at once instead of leaving the machine.</summary>
    public const string ClosedLoopbackProxy = "http://127.0.0.1:9";

    public const string DaemonConfigPath = "/etc/docker/daemon.json";

    public const string DaemonLogPath = "/var/log/dockerd-isolated.log";

    public const string BinfmtDirectory = "/proc/sys/fs/binfmt_misc";

    /// <summary>The shell commands a person runs (as root on Debian/Ubuntu) to get what EnsureDocker would set up.</summary>
    public static string ManualSteps(IEnumerable<string> packages) => string.Join(Environment.NewLine, [
        $"  apt-get update && apt-get install -y --no-install-recommends {string.Join(' ', packages)}",
        $"  mkdir -p /etc/docker && echo '{{\"bridge\":\"none\",\"iptables\":false,\"ip-masq\":false,\"ip-forward\":false}}' > {DaemonConfigPath}",
        $"  mountpoint -q {BinfmtDirectory} || mount -t binfmt_misc binfmt_misc {BinfmtDirectory}; update-binfmts --enable qemu-aarch64",
        $"  HTTP_PROXY={ClosedLoopbackProxy} HTTPS_PROXY={ClosedLoopbackProxy} NO_PROXY=localhost,127.0.0.1 setsid dockerd >{DaemonLogPath} 2>&1 &",
    ]);
}
