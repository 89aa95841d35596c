namespace ServiceMesh.Tests.Support;

/// <summary>
/// Settings for one test instance, as the environment variables a user would set: its own free port, its own
/// folders, an empty CONFIG_PATH. Passed explicitly (to the in-process host or a child process), never set globally.
/// </summary>
internal static class MeshEnvironment
{
    public static Dictionary<string, string?> For(TempFolder folder, int? port = null) => new(StringComparer.Ordinal)
    {
        ["SERVICE_MESH_HOST"] = "127.0.0.1",
        ["HTTP_PORT"] = (port ?? FreePort.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture),
        // embedded discovery listens too: own ports, so parallel tests never fight over 8500/8600
        ["EMBEDDED_CONSUL_HTTP_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["EMBEDDED_CONSUL_HTTPS_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["EMBEDDED_DNS_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CONFIG_PATH"] = folder.Combine("config"),
        ["CERTIFICATES_PATH"] = folder.Combine("certificates"),
        ["ENVOY_CONFIG_PATH"] = folder.Combine("envoy-configs"),
        ["DATA_PATH"] = folder.Combine("data"),
        ["LOGS_PATH"] = folder.Combine("logs"),
        ["LOG_FORMAT"] = "text",
        ["LOG_LEVEL"] = "WARNING",
        // As on a host-network machine: a services.yaml entry without an address is probed on loopback. Its name would be
        // looked up through this machine's resolver, which is not on loopback (nothing a test starts may leave 127.0.0.0/8).
        ["SERVICES_DEFAULT_ADDRESS"] = "127.0.0.1",
    };
}
