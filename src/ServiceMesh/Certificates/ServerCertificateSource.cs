using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ServiceMesh.Certificates;

/// <summary>
/// The TLS certificate of the mesh's own Consul-compatible API on 8501: the service-mesh SVID, also naming what
/// clients dial (localhost, 127.0.0.1, ::1, the bind address, server.&lt;dc&gt;.consul as Consul's own server
/// certificates do), issued by the mesh CA in memory. Its key never touches disk. A new one is issued at two
/// thirds of its lifetime and as soon as the signing root changes, on the next handshake.
/// </summary>
internal sealed partial class ServerCertificateSource(CertificateManager manager, CertificateSettings settings, TimeProvider time,
    ILogger<ServerCertificateSource> logger)
{
    public const string Service = "service-mesh";

    private readonly Lock _lock = new();
    private readonly SvidIssuer _issuer = new(settings);
    private Issued? _current;

    /// <summary>The current certificate with its chain, issued now when there is none or it is due.</summary>
    public SslStreamCertificateContext Current(IPAddress? bindAddress = null)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && !IsDue(current))
            return current.Context;
        lock (_lock)
        {
            current = Volatile.Read(ref _current);
            if (current is null || IsDue(current))
                Volatile.Write(ref _current, current = Issue(bindAddress));
            return current.Context;
        }
    }

    private bool IsDue(Issued issued) => time.GetUtcNow() >= issued.RenewAt || issued.IssuerKeyId != manager.Trust.Active.KeyId;

    private Issued Issue(IPAddress? bindAddress)
    {
        var trust = manager.Trust;
        var now = time.GetUtcNow();
        IPAddress[] addresses = bindAddress is null || bindAddress.Equals(IPAddress.Any) || bindAddress.Equals(IPAddress.IPv6Any) || IPAddress.IsLoopback(bindAddress)
            ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
            : [IPAddress.Loopback, IPAddress.IPv6Loopback, bindAddress];
        var names = new ServerNames(["localhost", $"server.{settings.Datacenter}.consul"], addresses);
        using var svid = _issuer.Issue(trust.Active, Service, now, trust.LeafIntermediate, names);
        var chain = Encoding.ASCII.GetString(svid.ChainPem);
        var keyPem = Encoding.ASCII.GetString(svid.KeyPem);
        var leaf = X509Certificate2.CreateFromPem(chain, keyPem);
        var intermediates = new X509Certificate2Collection();
        intermediates.ImportFromPem(chain);
        intermediates.RemoveAt(0); // the leaf itself
        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        var renewAt = svid.Info.NotBefore + (svid.Info.NotAfter - svid.Info.NotBefore) * 2 / 3;
        Log.Issued(logger, svid.Info.Serial, svid.Info.NotAfter, renewAt);
        return new Issued(context, trust.Active.KeyId, renewAt);
    }

    private sealed record Issued(SslStreamCertificateContext Context, string IssuerKeyId, DateTimeOffset RenewAt);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "TLS certificate for the Consul-compatible HTTPS API issued: serial {Serial}, valid until {NotAfter:O}, renewed from {RenewAt:O}")]
        public static partial void Issued(ILogger logger, string serial, DateTimeOffset notAfter, DateTimeOffset renewAt);
    }
}
