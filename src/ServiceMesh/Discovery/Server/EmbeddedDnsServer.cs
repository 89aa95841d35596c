using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// DNS on EMBEDDED_DNS_PORT (8600), UDP and TCP (RFC 1035 4.2.2: two-byte length prefix). The transport is all
/// this class does; reading and answering queries is <see cref="DnsResponder"/>'s. A bad packet or a broken
/// connection costs that one exchange, never the server.
/// </summary>
internal sealed partial class EmbeddedDnsServer(DnsResponder responder, IPAddress address, int port, ILogger<EmbeddedDnsServer> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan TcpIdle = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _udp;
    private TcpListener? _tcp;
    private Task _loops = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = new IPEndPoint(address, port);
        _udp = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _udp.Bind(endpoint);
        _tcp = new TcpListener(endpoint);
        _tcp.Start();
        _loops = Task.WhenAll(Task.Run(() => UdpLoopAsync(_stopping.Token), CancellationToken.None), Task.Run(() => TcpLoopAsync(_stopping.Token), CancellationToken.None));
        Log.Listening(logger, endpoint.ToString());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _udp?.Dispose();
        _tcp?.Stop();
        await _loops.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task UdpLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        EndPoint any = new IPEndPoint(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var received = await _udp!.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                var answer = responder.Answer(buffer[..received.ReceivedBytes], udp: true);
                await _udp.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e) { Log.ExchangeFailed(logger, "udp", e.Message); }
        }
    }

    private async Task TcpLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var client = await _tcp!.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                _ = ServeTcpAsync(client, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e) { Log.ExchangeFailed(logger, "tcp", e.Message); }
        }
    }

    private async Task ServeTcpAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var _ = client;
        var stream = client.GetStream();
        var prefix = new byte[2];
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                idle.CancelAfter(TcpIdle);
                await stream.ReadExactlyAsync(prefix, idle.Token).ConfigureAwait(false);
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                await stream.ReadExactlyAsync(query, idle.Token).ConfigureAwait(false);
                var answer = responder.Answer(query, udp: false);
                var framed = new byte[answer.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                answer.CopyTo(framed, 2);
                await stream.WriteAsync(framed, idle.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException or SocketException)
        {
            // client went away, idled out, or we are stopping: the connection ends, the server does not
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _udp?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Consul DNS listening on {Endpoint} (UDP and TCP)")]
        public static partial void Listening(ILogger logger, string endpoint);

        [LoggerMessage(2, LogLevel.Debug, "DNS {Transport} exchange failed: {Reason}")]
        public static partial void ExchangeFailed(ILogger logger, string transport, string reason);
    }
}
