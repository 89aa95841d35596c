namespace ServiceMesh.Envoy.Planning;

/// <summary>
/// The protocol names of services.yaml, the Consul meta key <c>protocol</c> and POST /envoy/configs, as Consul's
/// service-defaults spell them: http (HTTP/1.1), http2, grpc (HTTP/2 with gRPC health checks and retries), tcp.
/// </summary>
internal static class MeshProtocols
{
    public const string Expected = "http, http2, grpc or tcp";

    public static bool TryParse(string? text, out MeshProtocol protocol)
    {
        protocol = text switch
        {
            "http" => MeshProtocol.Http,
            "http2" => MeshProtocol.Http2,
            "grpc" => MeshProtocol.Grpc,
            "tcp" => MeshProtocol.Tcp,
            _ => (MeshProtocol)(-1),
        };
        return Enum.IsDefined(protocol);
    }

    /// <summary>The name, or HTTP/1.1 for a missing or unknown one (what the mesh did before it knew other protocols).</summary>
    public static MeshProtocol ParseOrHttp(string? text) => TryParse(text, out var protocol) ? protocol : MeshProtocol.Http;

    public static string Name(this MeshProtocol protocol) => protocol switch
    {
        MeshProtocol.Http2 => "http2",
        MeshProtocol.Grpc => "grpc",
        MeshProtocol.Tcp => "tcp",
        _ => "http",
    };

    /// <summary>Proxied by the HTTP connection manager (routes, retries, request logs) rather than tcp_proxy.</summary>
    public static bool IsHttp(this MeshProtocol protocol) => protocol != MeshProtocol.Tcp;

    /// <summary>Spoken as HTTP/2 on both sides of the sidecar, with ALPN h2 on the mTLS hop.</summary>
    public static bool IsHttp2(this MeshProtocol protocol) => protocol is MeshProtocol.Http2 or MeshProtocol.Grpc;
}
