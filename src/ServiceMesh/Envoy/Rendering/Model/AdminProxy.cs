namespace ServiceMesh.Envoy.Rendering.Model;

/// <summary>
/// An HttpConnectionManager that exposes chosen admin paths and nothing else, as Consul's bootstrap does for
/// <c>envoy_prometheus_bind_addr</c> and <c>-envoy-ready-bind-port</c>: each route rewrites to an admin path on the
/// cluster of the sidecar's own admin interface; any other path is a direct 404.
/// </summary>
internal sealed record AdminProxy(string StatPrefix, string AdminCluster, IReadOnlyList<AdminRoute> Routes, IEnvoyMessage? Limits = null) : IEnvoyTypedMessage
{
    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

    public void WriteFields(EnvoyYamlWriter yaml)
    {
        yaml.Field("stat_prefix", StatPrefix)
            .Field("codec_type", "HTTP1")
            .Field("route_config", new RouteConfig(StatPrefix + "_route", new VirtualHost(AdminCluster, Routes)))
            .List("http_filters", [new TypedExtension("envoy.filters.http.router", new Router())]);
        Limits?.WriteFields(yaml); // more fields of this message, as on the other connection managers
    }

    private sealed record RouteConfig(string Name, VirtualHost Host) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("name", Name).List("virtual_hosts", [Host]);
    }

    private sealed record VirtualHost(string Cluster, IReadOnlyList<AdminRoute> Routes) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml
            .Field("name", Cluster)
            .Strings("domains", ["*"])
            .List("routes", [.. Routes.Select(r => new Route(new Match(r.Path, Prefix: null), new Action(Cluster, r.AdminPath), null)),
                new Route(new Match(null, Prefix: "/"), null, new DirectResponse(404))]);
    }

    private sealed record Route(Match Match, Action? Action, DirectResponse? Direct) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("match", Match).Field("route", Action).Field("direct_response", Direct);
    }

    private sealed record Match(string? Path, string? Prefix) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("path", Path).Field("prefix", Prefix);
    }

    private sealed record Action(string Cluster, string PrefixRewrite) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("cluster", Cluster).Field("prefix_rewrite", PrefixRewrite);
    }

    private sealed record DirectResponse(int Status) : IEnvoyMessage
    {
        public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("status", Status);
    }
}

/// <summary>An exact request path and the admin path it is rewritten to.</summary>
internal sealed record AdminRoute(string Path, string AdminPath);
