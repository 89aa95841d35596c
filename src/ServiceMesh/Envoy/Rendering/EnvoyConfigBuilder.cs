using ServiceMesh.Envoy.Output;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Envoy.Policies;
using ServiceMesh.Envoy.Rendering.Model;

namespace ServiceMesh.Envoy.Rendering;

/// <summary>
/// Turns a <see cref="EnvoyServiceSpec"/> into Envoy v3 documents: mTLS both ways (SDS secrets), RBAC on the
/// caller's SPIFFE ID at the public listener, one loopback listener and one cluster per upstream, and the
/// Prometheus and ready listeners to its own admin interface.
/// </summary>
/// <param name="render">Turns a document into file text; tests pass one that also renders through YamlDotNet's own emitter.</param>
internal sealed class EnvoyConfigBuilder(EnvoyFileLayout layout, Func<IEnvoyMessage, string>? render = null)
{
    private readonly Func<IEnvoyMessage, string> _render = render ?? EnvoyYamlWriter.Render;

    public const string LocalAppCluster = "local_app";
    public const string PublicListener = "public_listener";
    public const string CertificateSecret = "service_cert";
    public const string TrustBundleSecret = "trust_bundle";

    /// <summary>The dynamic layout: bootstrap plus watched CDS, LDS and SDS files in the service's folder.</summary>
    public EnvoyFileSet Dynamic(EnvoyServiceSpec spec)
    {
        var service = spec.Name;
        var certificate = new SdsSecretConfig(CertificateSecret, ConfigSource.WatchedFile(layout.InFolder(service, EnvoyFileLayout.SdsCertificate)));
        var trustBundle = new SdsSecretConfig(TrustBundleSecret, ConfigSource.WatchedFile(layout.InFolder(service, EnvoyFileLayout.SdsTrustBundle)));
        var bootstrap = Bootstrap(spec) with
        {
            DynamicResources = new DynamicResources(
                CdsConfig: ConfigSource.WatchedFile(layout.InFolder(service, EnvoyFileLayout.Cds)),
                LdsConfig: ConfigSource.WatchedFile(layout.InFolder(service, EnvoyFileLayout.Lds))),
        };
        var folder = service + "/";
        return new EnvoyFileSet(service,
        [
            new(folder + EnvoyFileLayout.SdsCertificate, Render(new DiscoveryResponse([CertificateSecretOf(spec, watch: true)], spec.Tls.CertificateVersion)),
                HoldsPrivateKey: true),
            new(folder + EnvoyFileLayout.SdsTrustBundle, Render(new DiscoveryResponse([TrustBundleSecretOf(spec, watch: true)], spec.Tls.ValidationVersion))),
            new(folder + EnvoyFileLayout.Cds, Render(new DiscoveryResponse(Clusters(spec, certificate, trustBundle)))),
            new(folder + EnvoyFileLayout.Lds, Render(new DiscoveryResponse(Listeners(spec, certificate, trustBundle)))),
            new(EnvoyFileLayout.BootstrapName(service), Render(bootstrap)),
        ]);
    }

    /// <summary>
    /// The single-file layout: everything static in the bootstrap. Envoy
    /// reads static secrets once, so a certificate rotation or membership change needs an Envoy restart.
    /// </summary>
    public EnvoyFileSet Static(EnvoyServiceSpec spec)
    {
        var certificate = new SdsSecretConfig(CertificateSecret, SdsConfig: null);
        var trustBundle = new SdsSecretConfig(TrustBundleSecret, SdsConfig: null);
        var bootstrap = Bootstrap(spec) with
        {
            StaticResources = new StaticResources(
                Listeners(spec, certificate, trustBundle),
                Clusters(spec, certificate, trustBundle),
                [CertificateSecretOf(spec, watch: false), TrustBundleSecretOf(spec, watch: false)]),
        };
        return new EnvoyFileSet(spec.Name, [new(EnvoyFileLayout.BootstrapName(spec.Name), Render(bootstrap))]);
    }

    private string Render(IEnvoyMessage document) => _render(document);

    private static Bootstrap Bootstrap(EnvoyServiceSpec spec) => new(
        new Node($"{spec.Name}-sidecar-proxy", spec.Name),
        // Loopback only: the admin interface can change runtime values and shut Envoy down.
        new Admin(EnvoyAddress.Tcp("127.0.0.1", spec.AdminPort)),
        LayeredRuntime.Default,
        StatsConfig: new StatsConfig(UseAllDefaultTags: true),
        StatsFlushInterval: TimeSpan.FromSeconds(5),
        OverloadManager: HardeningMessages.Overload(spec.LocalAppPolicy.Hardening));

    // Dynamic: the pair inline, so the one rename that replaces sds-cert.yaml carries certificate and key together (two
    // files, even behind one folder link, are opened one after the other and can come from two issuances). Before the
    // first issuance, and in the static layout (read once when Envoy starts), the secret names the files.
    private static Secret CertificateSecretOf(EnvoyServiceSpec spec, bool watch) => new(CertificateSecret, TlsCertificate:
        watch && spec.Tls.Certificate is { } pair
            ? new TlsCertificate(new DataSource(InlineString: pair.ChainPem), new DataSource(InlineString: pair.KeyPem), null)
            : new TlsCertificate(new DataSource(spec.Tls.Paths.CertificateChain), new DataSource(spec.Tls.Paths.PrivateKey),
                watch ? new WatchedDirectory(spec.Tls.Paths.CertificateWatchedDirectory) : null));

    // One CRL per root of the bundle, inline; only the leaf is checked against it (every root is ours, and a chain
    // through the cross-signed root would otherwise need a CRL for that certificate too).
    private static Secret TrustBundleSecretOf(EnvoyServiceSpec spec, bool watch) => new(TrustBundleSecret, ValidationContext: new CertificateValidationContext(
        TrustedCa: new DataSource(spec.Tls.Paths.TrustBundle),
        WatchedDirectory: watch ? new WatchedDirectory(spec.Tls.Paths.TrustBundleWatchedDirectory) : null,
        Crl: spec.Tls.RevocationList is { } crl ? new DataSource(InlineString: crl) : null,
        OnlyVerifyLeafCertCrl: spec.Tls.RevocationList is not null));

    private static List<Listener> Listeners(EnvoyServiceSpec spec, SdsSecretConfig certificate, SdsSecretConfig trustBundle)
    {
        var own = spec.LocalAppPolicy.Hardening;
        var inboundTls = new DownstreamTlsContext(
            new CommonTlsContext([certificate], ValidationContextSdsSecretConfig: trustBundle, TlsParams: HardeningMessages.Tls(own),
                AlpnProtocols: spec.Protocol.IsHttp2() ? ["h2", "http/1.1"] : null),
            RequireClientCertificate: true);
        var callers = spec.Callers.SpiffeIds.Select(id => new StringMatcher(Exact: id))
            .Concat(spec.Callers.Prefix is { } prefix ? [new StringMatcher(Prefix: prefix)] : [])
            .ToList();
        var listeners = new List<Listener>
        {
            new(PublicListener, EnvoyAddress.Tcp("0.0.0.0", spec.PublicPort), "INBOUND",
            [
                new FilterChain(
                [
                    new TypedExtension(NetworkRbac.FilterName, new NetworkRbac(PublicListener + "_rbac", callers)),
                    Proxy(spec.Protocol, PublicListener, LocalAppCluster, spec.LocalAppPolicy, inbound: true, spec.AccessLog),
                ], TlsTransportSocket.Of(inboundTls)),
            ], HardeningMessages.BufferLimit(own)),
        };
        foreach (var upstream in spec.Upstreams)
        {
            var name = "upstream_" + upstream.Name;
            listeners.Add(new Listener(name, EnvoyAddress.Tcp("127.0.0.1", upstream.LocalBindPort), "OUTBOUND",
                [new FilterChain([Proxy(upstream.Protocol, name, upstream.Name, upstream.Policy, inbound: false, spec.AccessLog)])],
                HardeningMessages.BufferLimit(upstream.Policy.Hardening)));
        }
        listeners.AddRange(SidecarAdminListeners.Of(spec));
        return listeners;
    }

    // Retries belong to the caller's side only: retrying on both sidecars would multiply the attempts.
    private static TypedExtension Proxy(MeshProtocol protocol, string statPrefix, string cluster, UpstreamPolicy policy, bool inbound, bool accessLog) =>
        protocol.IsHttp()
            ? new TypedExtension(HttpConnectionManager.FilterName, new HttpConnectionManager(statPrefix, cluster, policy.RequestTimeout, ForwardCallerIdentity: inbound,
                HardeningMessages.Http(policy.Hardening), Http2: protocol.IsHttp2(), Retry: inbound ? null : Retry(protocol, policy.Retries),
                AccessLog: accessLog ? AccessLogs.Http(inbound) : null))
            : new TypedExtension(TcpProxy.FilterName, new TcpProxy(statPrefix, cluster, accessLog ? AccessLogs.Tcp(inbound) : null));

    private static RouteRetryPolicy? Retry(MeshProtocol protocol, RetryPolicy retries) => retries.NumRetries == 0
        ? null
        : new RouteRetryPolicy(protocol == MeshProtocol.Grpc ? RouteRetryPolicy.Grpc : RouteRetryPolicy.Http, retries.NumRetries, retries.PerTryTimeout);

    private static List<Cluster> Clusters(EnvoyServiceSpec spec, SdsSecretConfig certificate, SdsSecretConfig trustBundle)
    {
        var clusters = new List<Cluster>
        {
            new(LocalAppCluster, Cluster.Static, spec.LocalAppPolicy.ConnectTimeout,
                new ClusterLoadAssignment(LocalAppCluster, [EnvoyAddress.Tcp("127.0.0.1", spec.ServicePort)]),
                PerConnectionBufferLimitBytes: HardeningMessages.BufferLimit(spec.LocalAppPolicy.Hardening),
                UpstreamConnectionOptions: HardeningMessages.Keepalive(spec.LocalAppPolicy.Hardening),
                TypedExtensionProtocolOptions: spec.Protocol.IsHttp2() ? Http2ProtocolOptions.Instance : null),
            SidecarAdminListeners.Cluster(spec),
        };
        foreach (var upstream in spec.Upstreams)
        {
            var policy = upstream.Policy;
            var upstreamTls = new UpstreamTlsContext(
                new CommonTlsContext([certificate], CombinedValidationContext: new CombinedValidationContext(
                    new CertificateValidationContext(MatchTypedSubjectAltNames: [SubjectAltNameMatcher.Uri(upstream.SpiffeId)]),
                    trustBundle), TlsParams: HardeningMessages.Tls(policy.Hardening), AlpnProtocols: upstream.Protocol.IsHttp2() ? ["h2"] : null),
                Sni: upstream.Name);
            var check = policy.HealthCheck;
            clusters.Add(new Cluster(
                upstream.Name,
                upstream.Endpoints.All(e => System.Net.IPAddress.TryParse(e.Address, out _)) ? Cluster.Static : Cluster.StrictDns,
                policy.ConnectTimeout,
                new ClusterLoadAssignment(upstream.Name, upstream.Endpoints.Select(e => EnvoyAddress.Tcp(e.Address, e.Port)).ToList()),
                HealthChecks: [new HealthCheck(check.Timeout, check.Interval, check.UnhealthyThreshold, check.HealthyThreshold,
                    upstream.Protocol.IsHttp() ? check.HttpPath : null, Http2: upstream.Protocol.IsHttp2(), Grpc: upstream.Protocol == MeshProtocol.Grpc)],
                OutlierDetection: new OutlierDetection(policy.Outlier.Consecutive5xx, policy.Outlier.Interval, policy.Outlier.BaseEjectionTime, policy.Outlier.MaxEjectionPercent),
                CircuitBreakers: new CircuitBreakers(policy.CircuitBreakers.MaxConnections, policy.CircuitBreakers.MaxPendingRequests, policy.CircuitBreakers.MaxRequests, policy.CircuitBreakers.MaxRetries),
                TransportSocket: TlsTransportSocket.Of(upstreamTls),
                PerConnectionBufferLimitBytes: HardeningMessages.BufferLimit(policy.Hardening),
                UpstreamConnectionOptions: HardeningMessages.Keepalive(policy.Hardening),
                TypedExtensionProtocolOptions: upstream.Protocol.IsHttp2() ? Http2ProtocolOptions.Instance : null));
        }
        return clusters;
    }
}
