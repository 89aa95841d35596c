namespace ServiceMesh.Envoy.Planning;

/// <summary>A sidecar listener the host's port plan hands out (upstream listeners are always named by their member).</summary>
internal enum SidecarPortKind { Admin, Prometheus, Public, Ready }

/// <summary>The ports one sidecar listens on besides its upstreams' local_bind_ports.</summary>
internal sealed record SidecarPorts(int Public, int Admin, int Prometheus, int Ready);

/// <summary>Ports a member names itself (services.yaml, the API body, Consul meta); null ones come from <see cref="HostPortRanges"/>.</summary>
internal sealed record SidecarPortRequest(int? Admin = null, int? Prometheus = null, int? Ready = null)
{
    public static SidecarPortRequest None { get; } = new();
}

/// <summary>A port of this host no sidecar may take, and whose it is (e.g. "service-mesh's HTTP_PORT").</summary>
internal sealed record ReservedPort(int Port, string Holder);

/// <summary>
/// Where allocated ports come from: four blocks of <see cref="Slots"/> ports from <see cref="Start"/> (ENVOY_ADMIN_PORT):
/// admin, Prometheus, public, ready. A sidecar owns one slot, so its ports share the offset (19042, 20042, 21042, 22042).
/// </summary>
internal sealed record HostPortRanges(int Start)
{
    public const int Slots = 1000;
    public const int Span = 4 * Slots;

    public int PortOf(SidecarPortKind kind, int slot) => Start + ((int)kind * Slots) + slot;

    public static string Describe(SidecarPortKind kind) => kind switch
    {
        SidecarPortKind.Admin => "admin port",
        SidecarPortKind.Prometheus => "Prometheus port",
        SidecarPortKind.Public => "public port",
        _ => "ready port",
    };
}
