using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Certificates;

namespace ServiceMesh.Tests.Certificates;

/// <summary>The HTTPS certificate of the embedded Consul API: renewed in the background, handshakes never wait for it.</summary>
public sealed class ServerCertificateSourceTests : IDisposable
{
    private readonly CertificateFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Current_PastTwoThirdsOfLifetime_ServesTheCurrentOneAndRenewsInTheBackground()
    {
        var source = New(_fixture.Start());
        source.Start(IPAddress.Loopback);
        var first = Serial(source);

        _fixture.Time.Advance(_fixture.Settings.LeafLifetime * 0.7);

        Serial(source).ShouldBe(first, "the handshake that notices gets the current certificate at once");
        await EventuallyAsync(() => Serial(source) != first);
    }

    [Fact]
    public async Task Current_AfterRootRotation_ReissuedFromTheNewRoot()
    {
        var manager = _fixture.Start();
        var source = New(manager);
        source.Start(IPAddress.Loopback);

        await manager.RotateRootAsync(CancellationToken.None);
        _ = source.Current();

        await EventuallyAsync(() => source.Current().TargetCertificate.Issuer == manager.Trust.Active.Root.Subject
                                    && source.Current().TargetCertificate.GetSerialNumberString() != manager.Trust.Active.Root.GetSerialNumberString());
        var chain = source.Current().IntermediateCertificates;
        chain.ShouldHaveSingleItem().Subject.ShouldBe(manager.Trust.Active.Root.Subject, "the cross-signed root rides along during the rotation");
    }

    [Fact]
    public void Start_BindAddressIpv4Mapped_SanIsThePlainIpv4Address()
    {
        var source = New(_fixture.Start());

        source.Start(IPAddress.Parse("::ffff:10.1.2.3"));

        var names = source.Current().TargetCertificate.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single();
        names.EnumerateIPAddresses().ShouldContain(IPAddress.Parse("10.1.2.3"));
    }

    private ServerCertificateSource New(CertificateManager manager) =>
        new(manager, _fixture.Settings, _fixture.Time, NullLogger<ServerCertificateSource>.Instance);

    private static string Serial(ServerCertificateSource source) => source.Current().TargetCertificate.SerialNumber;

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1200 && !condition(); i++) // 30 s: a background renewal on a busy machine
        {
            await Task.Delay(25);
        }

        condition().ShouldBeTrue();
    }
}
