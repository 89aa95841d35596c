using System.Net;
using System.Net.Sockets;
using ServiceMesh.Configuration;

namespace ServiceMesh.Discovery.Registry;

/// <summary>A probe refused to connect: the target is (or resolves to) an address outside CHECK_ALLOWED_NETWORKS.</summary>
internal sealed class CheckTargetRefusedException(string message) : Exception(message);

/// <summary>
/// Where a check may connect. At registration a literal IP outside the allowed networks is refused (400); a host name is
/// resolved at every probe, and the probe connects only to addresses it has just checked, so DNS rebinding cannot slip
/// a different address in between. User-info in a check URL is never shown: <see cref="Redact"/> is what Output and logs carry.
/// </summary>
internal static class CheckTargets
{
    private static readonly string Setting = MeshSettings.CheckAllowedNetworks.EnvironmentName;

    /// <summary>The reason a literal IP target is refused at registration, or null (host names are judged at probe time).</summary>
    public static string? Refusal(string field, string target, string host, AllowedNetworks allowed) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var address) && !allowed.Contains(address)
            ? $"{field} target '{target}' is outside {Setting} ({allowed}); health checks may only connect to those networks"
            : null;

    /// <summary>The host's addresses, every one of them inside the allowed networks; otherwise the probe is refused.</summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, AllowedNetworks allowed, CancellationToken cancellationToken)
    {
        var bare = host.Trim('[', ']');
        var addresses = IPAddress.TryParse(bare, out var literal) ? [literal]
            : await Dns.GetHostAddressesAsync(bare, cancellationToken).ConfigureAwait(false);
        var outside = addresses.Where(a => !allowed.Contains(a)).ToList();
        if (addresses.Length == 0 || outside.Count > 0)
        {
            throw new CheckTargetRefusedException(addresses.Length == 0 ? $"'{bare}' resolves to no address"
                : $"'{bare}' resolves to {string.Join(", ", outside)}, outside {Setting} ({allowed}); not connected");
        }

        return addresses;
    }

    /// <summary>Connects to the first of the checked addresses that answers (the socket is dual-mode where IPv6 exists).</summary>
    public static async Task<Socket> ConnectAsync(IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The URL without user-info ("http://user:secret@host/" → "http://host/"), for Output and logs.</summary>
    public static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped)
            : url;
}
