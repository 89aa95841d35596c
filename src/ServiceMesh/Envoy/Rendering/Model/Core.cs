namespace ServiceMesh.Envoy.Rendering.Model;

// config.core.v3 messages: addresses, config sources and data sources.

/// <summary>config.core.v3.SocketAddress (TCP).</summary>
internal sealed record SocketAddress(string Address, int PortValue) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("address", Address).Field("port_value", PortValue);
}

/// <summary>config.core.v3.Address.</summary>
internal sealed record EnvoyAddress(SocketAddress SocketAddress) : IEnvoyMessage
{
    public static EnvoyAddress Tcp(string address, int port) => new(new SocketAddress(address, port));

    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("socket_address", SocketAddress);
}

/// <summary>config.core.v3.WatchedDirectory: a move into this folder reloads the watched resource.</summary>
internal sealed record WatchedDirectory(string Path) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("path", Path);
}

/// <summary>config.core.v3.PathConfigSource (the current replacement for the deprecated ConfigSource.path).</summary>
internal sealed record PathConfigSource(string Path, WatchedDirectory? WatchedDirectory) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("path", Path).Field("watched_directory", WatchedDirectory);
}

/// <summary>config.core.v3.ConfigSource from a file, with resource_api_version V3.</summary>
internal sealed record ConfigSource(PathConfigSource PathConfigSource) : IEnvoyMessage
{
    /// <summary>A file whose folder is watched: our writer replaces it by a rename inside that folder.</summary>
    public static ConfigSource WatchedFile(string path) =>
        new(new PathConfigSource(path, new WatchedDirectory(System.IO.Path.GetDirectoryName(path)!)));

    public void WriteFields(EnvoyYamlWriter yaml) =>
        yaml.Field("path_config_source", PathConfigSource).Field("resource_api_version", "V3");
}

/// <summary>config.core.v3.DataSource read from a file.</summary>
/// <summary>config.core.v3.DataSource: a file Envoy reads (and, with a watched directory, reads again), or inline text.</summary>
internal sealed record DataSource(string? Filename = null, string? InlineString = null) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("filename", Filename).Field("inline_string", InlineString);

    // Inline text may be a private key: never in a log line or a debugger's summary.
    public override string ToString() => InlineString is null ? $"DataSource {{ Filename = {Filename} }}" : $"DataSource {{ InlineString = ({InlineString.Length} chars) }}";
}

/// <summary>A named extension with its typed config: listener filters, HTTP filters, transport sockets.</summary>
internal sealed record TypedExtension(string Name, IEnvoyTypedMessage TypedConfig) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("name", Name).Typed("typed_config", TypedConfig);
}

/// <summary>type.matcher.v3.StringMatcher (one of exact or prefix).</summary>
internal sealed record StringMatcher(string? Exact = null, string? Prefix = null) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("exact", Exact).Field("prefix", Prefix);
}

/// <summary>An xDS file: a DiscoveryResponse whose resources each carry their "@type".</summary>
internal sealed record DiscoveryResponse(IReadOnlyList<IEnvoyTypedMessage> Resources, string? VersionInfo = null) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("version_info", VersionInfo).AnyList("resources", Resources);
}
