using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ServiceMesh.Certificates;

/// <summary>
/// TLS certificate of the Consul-compatible API on 8501: the mesh SVID, also naming localhost, 127.0.0.1, ::1, the bind
/// address and server.&lt;dc&gt;.consul (as Consul's server certificates do); its key stays in memory. Renewed from two
/// thirds of its lifetime or when the signing root changes; failures retry after <see cref="RetryAfter"/>.
/// </summary>
internal sealed partial class ServerCertificateSource(CertificateManager manager, CertificateSettings settings, TimeProvider time,
    ILogger<ServerCertificateSource> logger)
{
    public const string Service = "service-mesh";
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly SvidIssuer _issuer = new(settings);
    private Issued? _current;
    private IPAddress? _bindAddress;
    private int _renewing;
    private DateTimeOffset _nextAttempt;

    /// <summary>Issues the first certificate (at server start); throws when the CA cannot sign, so the start fails visibly.</summary>
    public void Start(IPAddress bindAddress)
    {
        _bindAddress = bindAddress;
        lock (_lock)
        {
            Volatile.Write(ref _current, Issue());
        }
    }

    /// <summary>The certificate for a handshake. Never waits for the CA unless the current one has expired.</summary>
    public SslStreamCertificateContext Current()
    {
        var current = Volatile.Read(ref _current) ?? throw new InvalidOperationException("the HTTPS certificate has not been issued yet");
        var now = time.GetUtcNow();
        if (now >= current.NotAfter)
        {
            lock (_lock) // expired (renewals kept failing): a handshake with it would fail anyway
            {
                if (time.GetUtcNow() >= Volatile.Read(ref _current)!.NotAfter)
                {
                    Volatile.Write(ref _current, Issue());
                }

                return _current!.Context;
            }
        }
        if ((now >= current.RenewAt || current.IssuerKeyId != manager.Trust.Active.KeyId) && now >= _nextAttempt
            && Interlocked.CompareExchange(ref _renewing, 1, 0) == 0)
        {
            _ = Task.Run(Renew);
        }

        return current.Context;
    }

    private void Renew()
    {
        try
        {
            lock (_lock)
            {
                Volatile.Write(ref _current, Issue());
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _nextAttempt = time.GetUtcNow() + RetryAfter;
            Log.RenewalFailed(logger, RetryAfter.TotalSeconds, e.Message);
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    private Issued Issue()
    {
        var trust = manager.Trust;
        var now = time.GetUtcNow();
        var bind = _bindAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : _bindAddress;
        IPAddress[] addresses = bind is null || bind.Equals(IPAddress.Any) || bind.Equals(IPAddress.IPv6Any) || IPAddress.IsLoopback(bind)
            ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
            : [IPAddress.Loopback, IPAddress.IPv6Loopback, bind];
        var names = new ServerNames(["localhost", $"server.{settings.Datacenter}.consul"], addresses);
        using var svid = _issuer.Issue(trust.Active, Service, now, trust.LeafIntermediate, names);
        var chain = Encoding.ASCII.GetString(svid.ChainPem);
        var keyPem = new char[svid.KeyPem.Length];
        try
        {
            Encoding.ASCII.GetChars(svid.KeyPem, keyPem);
            var leaf = X509Certificate2.CreateFromPem(chain, keyPem);
            var intermediates = new X509Certificate2Collection();
            intermediates.ImportFromPem(chain);
            intermediates.RemoveAt(0); // the leaf itself
            var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
            var renewAt = svid.Info.NotBefore + (svid.Info.NotAfter - svid.Info.NotBefore) * 2 / 3;
            Log.Issued(logger, svid.Info.Serial, svid.Info.NotAfter, renewAt);
            return new Issued(context, trust.Active.KeyId, renewAt, svid.Info.NotAfter);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(keyPem.AsSpan()));
        }
    }

    private sealed record Issued(SslStreamCertificateContext Context, string IssuerKeyId, DateTimeOffset RenewAt, DateTimeOffset NotAfter);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "TLS certificate for the Consul-compatible HTTPS API issued: serial {Serial}, valid until {NotAfter:O}, renewed from {RenewAt:O}")]
        public static partial void Issued(ILogger logger, string serial, DateTimeOffset notAfter, DateTimeOffset renewAt);

        [LoggerMessage(2, LogLevel.Warning, "Renewing the TLS certificate of the Consul-compatible HTTPS API failed (the current one is served; next try in {RetrySeconds} s): {Error}")]
        public static partial void RenewalFailed(ILogger logger, double retrySeconds, string error);
    }
}
