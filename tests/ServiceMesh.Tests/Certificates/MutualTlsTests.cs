using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Shouldly;
using Xunit;

namespace ServiceMesh.Tests.Certificates;

/// <summary>Real TLS 1.3 handshakes on loopback, each side trusting only the mesh bundle, as Envoy sidecars do.</summary>
public sealed class MutualTlsTests : IDisposable
{
    private readonly CertificateFixture _fixture = new();

    [Fact]
    public async Task Handshake_TwoIssuedIdentities_SucceedsAndEachSeesThePeersSpiffeId()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("api-gateway", CancellationToken.None);
        await manager.IssueAsync("auth-service", CancellationToken.None);

        var (serverSawClient, clientSawServer) = await HandshakeAsync(server: Identity(_fixture, "auth-service"), client: Identity(_fixture, "api-gateway"), _fixture.Bundle());

        serverSawClient.ShouldBe("spiffe://lucid.test/ns/default/dc/dc1/svc/api-gateway");
        clientSawServer.ShouldBe("spiffe://lucid.test/ns/default/dc/dc1/svc/auth-service");
    }

    [Fact]
    public async Task Handshake_ClientFromForeignCa_IsRefused()
    {
        using var foreign = new CertificateFixture();
        await foreign.Start().IssueAsync("api-gateway", CancellationToken.None);
        var manager = _fixture.Start();
        await manager.IssueAsync("auth-service", CancellationToken.None);

        await Should.ThrowAsync<Exception>(() => HandshakeAsync(server: Identity(_fixture, "auth-service"), client: Identity(foreign, "api-gateway"), _fixture.Bundle()));
    }

    [Fact]
    public async Task Handshake_DuringRootRotation_NewLeafAcceptedByPeerStillHoldingOldRootOnly()
    {
        var manager = _fixture.Start();
        await manager.IssueAsync("auth-service", CancellationToken.None);
        var oldBundle = _fixture.Bundle();
        var oldServer = Identity(_fixture, "auth-service");
        await manager.RotateRootAsync(CancellationToken.None);
        await manager.IssueAsync("api-gateway", CancellationToken.None);

        // The client has a new-root leaf; the server still runs its pre-rotation leaf and trusts only the old root.
        var (serverSawClient, _) = await HandshakeAsync(server: oldServer, client: Identity(_fixture, "api-gateway"), oldBundle, clientTrust: _fixture.Bundle());

        serverSawClient.ShouldEndWith("/svc/api-gateway");
    }

    private static SslStreamCertificateContext Identity(CertificateFixture fixture, string service)
    {
        var chain = fixture.ReadChain(service);
        var leaf = X509Certificate2.CreateFromPemFile(fixture.PathOf(service + ".crt"), fixture.PathOf(service + ".key"));
        return SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(chain.Skip(1).ToArray()), offline: true);
    }

    private static X509ChainPolicy TrustOnly(X509Certificate2Collection bundle)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true };
        policy.CustomTrustStore.AddRange(bundle);
        return policy;
    }

    private static async Task<(string ServerSawClient, string ClientSawServer)> HandshakeAsync(
        SslStreamCertificateContext server, SslStreamCertificateContext client, X509Certificate2Collection serverTrust, X509Certificate2Collection? clientTrust = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var serverSide = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync(timeout.Token);
            await using var tls = new SslStream(socket.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = server,
                ClientCertificateRequired = true,
                CertificateChainPolicy = TrustOnly(serverTrust),
                RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None,
                EnabledSslProtocols = SslProtocols.Tls13,
            }, timeout.Token);
            await tls.WriteAsync(new byte[] { 1 }, timeout.Token);
            return SpiffeId(tls.RemoteCertificate!);
        });

        using var connection = new TcpClient();
        await connection.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        await using var clientTls = new SslStream(connection.GetStream());
        await clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "auth-service",
            ClientCertificateContext = client,
            CertificateChainPolicy = TrustOnly(clientTrust ?? serverTrust),
            RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None,
            EnabledSslProtocols = SslProtocols.Tls13,
        }, timeout.Token);
        // TLS 1.3 checks the client certificate after the client's handshake completes: read to learn the server's verdict.
        var buffer = new byte[1];
        var read = await clientTls.ReadAsync(buffer, timeout.Token);
        var serverSawClient = await serverSide;
        read.ShouldBe(1);
        return (serverSawClient, SpiffeId(clientTls.RemoteCertificate!));
    }

    private static string SpiffeId(X509Certificate certificate) =>
        ServiceMesh.Certificates.SubjectAlternativeNames.Uris(new X509Certificate2(certificate)).Single();

    public void Dispose() => _fixture.Dispose();
}
