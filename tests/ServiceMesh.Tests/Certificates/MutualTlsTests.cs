using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
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

    [Fact]
    public async Task Handshake_OpenSslServerCheckingCaCrl_RefusesTheRevokedClientAndAcceptsAnother()
    {
        var manager = _fixture.Start();
        foreach (var service in new[] { "auth-service", "api-gateway", "session-anchoring" })
        {
            await manager.IssueAsync(service, CancellationToken.None);
        }

        var (revokedCertificate, revokedKey) = (_fixture.PathOf("revoked.crt.tmp"), _fixture.PathOf("revoked.key.tmp"));
        File.Copy(_fixture.PathOf("session-anchoring.crt"), revokedCertificate);
        File.Copy(_fixture.PathOf("session-anchoring.key"), revokedKey);
        await manager.RevokeAsync("session-anchoring", CancellationToken.None);

        // A TLS server that checks the client's leaf against ca.crl, as the sidecars are configured to (TLS 1.2, so the
        // verdict comes inside the handshake, where s_client reports it).
        using var server = OpenSslServer.Start(_fixture.PathOf("auth-service.crt"), _fixture.PathOf("auth-service.key"),
            "-CAfile", _fixture.PathOf("ca.crt"), "-Verify", "1", "-verify_return_error", "-crl_check", "-CRL", _fixture.PathOf("ca.crl"));
        await server.WaitUntilAcceptingAsync();

        var accepted = CertificateFixture.OpenSsl("s_client", "-connect", $"127.0.0.1:{server.Port}", "-tls1_2", "-CAfile", _fixture.PathOf("ca.crt"),
            "-verify_return_error", "-cert", _fixture.PathOf("api-gateway.crt"), "-key", _fixture.PathOf("api-gateway.key"));
        var refused = CertificateFixture.OpenSsl("s_client", "-connect", $"127.0.0.1:{server.Port}", "-tls1_2", "-CAfile", _fixture.PathOf("ca.crt"),
            "-verify_return_error", "-cert", revokedCertificate, "-key", revokedKey);

        accepted.ExitCode.ShouldBe(0, accepted.Output);
        accepted.Output.ShouldContain("Verify return code: 0 (ok)");
        refused.ExitCode.ShouldNotBe(0, refused.Output);
        refused.Output.ShouldContain("certificate revoked");
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
