namespace ServiceMesh.Envoy.Rendering.Model;

/// <summary>config.listener.v3.Listener.</summary>
internal sealed record Listener(string Name, EnvoyAddress Address, string TrafficDirection, IReadOnlyList<FilterChain> FilterChains,
    int? PerConnectionBufferLimitBytes = null) : IEnvoyTypedMessage
{
    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.config.listener.v3.Listener";

    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("name", Name)
        .Field("address", Address)
        .Field("traffic_direction", TrafficDirection)
        .List("filter_chains", FilterChains)
        .Field("per_connection_buffer_limit_bytes", PerConnectionBufferLimitBytes);
}

/// <summary>config.listener.v3.FilterChain: network filters in order, and the downstream transport socket.</summary>
internal sealed record FilterChain(IReadOnlyList<TypedExtension> Filters, TypedExtension? TransportSocket = null) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.List("filters", Filters).Field("transport_socket", TransportSocket);
}

/// <summary>extensions.filters.network.tcp_proxy.v3.TcpProxy.</summary>
internal sealed record TcpProxy(string StatPrefix, string Cluster, IReadOnlyList<TypedExtension>? AccessLog = null) : IEnvoyTypedMessage
{
    public const string FilterName = "envoy.filters.network.tcp_proxy";

    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";

    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("stat_prefix", StatPrefix).Field("cluster", Cluster).List("access_log", AccessLog);
}

/// <summary>
/// extensions.filters.network.http_connection_manager.v3.HttpConnectionManager with an inline route to one cluster.
/// On the inbound side it replaces any client-sent x-forwarded-client-cert with the verified caller's URI SAN. AUTO
/// picks HTTP/2 by ALPN (TLS) or the connection preface (h2c from the app); <see cref="Http2"/> sets its options.
/// </summary>
internal sealed record HttpConnectionManager(string StatPrefix, string Cluster, TimeSpan RouteTimeout, bool ForwardCallerIdentity,
    IEnvoyMessage? Limits = null, bool Http2 = false, RouteRetryPolicy? Retry = null, IReadOnlyList<TypedExtension>? AccessLog = null) : IEnvoyTypedMessage
{
    public const string FilterName = "envoy.filters.network.http_connection_manager";

    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

    public void WriteFields(EnvoyYamlWriter yaml)
    {
        yaml.Field("stat_prefix", StatPrefix)
            .Field("codec_type", "AUTO");
        if (Http2)
        {
            yaml.Empty("http2_protocol_options");
        }

        yaml.Field("route_config", new RouteConfiguration(StatPrefix, Cluster, RouteTimeout, Retry))
            .List("http_filters", [new TypedExtension("envoy.filters.http.router", new Router())])
            .List("access_log", AccessLog)
            .Field("forward_client_cert_details", ForwardCallerIdentity ? "SANITIZE_SET" : "SANITIZE")
            .Field("set_current_client_cert_details", ForwardCallerIdentity ? new ClientCertDetails() : null);
        Limits?.WriteFields(yaml); // more fields of this message, not a nested one
    }

    private sealed record ClientCertDetails : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("uri", true);
    }
}

/// <summary>config.route.v3.RouteConfiguration: one virtual host, every path to one cluster.</summary>
internal sealed record RouteConfiguration(string Name, string Cluster, TimeSpan Timeout, RouteRetryPolicy? Retry = null) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("name", Name)
        .List("virtual_hosts", [new VirtualHost(Name, new RouteAction(Cluster, Timeout, Retry))]);

    private sealed record VirtualHost(string Name, RouteAction Action) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml
            .Field("name", Name)
            .Strings("domains", ["*"])
            .List("routes", [new Route(Action)]);
    }

    private sealed record Route(RouteAction Action) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml
            .Field("match", new PrefixMatch("/"))
            .Field("route", Action);
    }

    private sealed record PrefixMatch(string Prefix) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("prefix", Prefix);
    }

    private sealed record RouteAction(string Cluster, TimeSpan Timeout, RouteRetryPolicy? Retry) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("cluster", Cluster).Field("timeout", Timeout).Field("retry_policy", Retry);
    }
}

/// <summary>extensions.filters.http.router.v3.Router (defaults).</summary>
internal sealed record Router : IEnvoyTypedMessage
{
    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.filters.http.router.v3.Router";

    public void WriteFields(EnvoyYamlWriter yaml) { }
}

/// <summary>
/// extensions.filters.network.rbac.v3.RBAC with an ALLOW policy over authenticated principals (the peer
/// certificate's URI SAN). An empty principal list writes an empty policy map, which Envoy treats as deny-all.
/// </summary>
internal sealed record NetworkRbac(string StatPrefix, IReadOnlyList<StringMatcher> AllowedPrincipals) : IEnvoyTypedMessage
{
    public const string FilterName = "envoy.filters.network.rbac";
    public const string PolicyName = "allowed-callers";

    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.filters.network.rbac.v3.RBAC";

    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("stat_prefix", StatPrefix)
        .Field("rules", new Rules(AllowedPrincipals));

    private sealed record Rules(IReadOnlyList<StringMatcher> Principals) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml
            .Field("action", "ALLOW")
            .Map("policies", Principals.Count == 0 ? new Dictionary<string, Policy>() : new Dictionary<string, Policy> { [PolicyName] = new(Principals) });
    }

    private sealed record Policy(IReadOnlyList<StringMatcher> Principals) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml
            .List("permissions", [new AnyPermission()])
            .List("principals", Principals.Select(p => new Principal(p)).ToList());
    }

    private sealed record AnyPermission : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("any", true);
    }

    private sealed record Principal(StringMatcher Name) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("authenticated", new Authenticated(Name));
    }

    private sealed record Authenticated(StringMatcher PrincipalName) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("principal_name", PrincipalName);
    }
}
