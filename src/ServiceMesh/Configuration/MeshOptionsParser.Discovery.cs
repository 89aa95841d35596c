using System.Globalization;

namespace ServiceMesh.Configuration;

/// <summary>Discovery settings beyond the ports: external Consul's scheme, token and CA file, the DNS TTL, where checks may connect and where preloaded services are.</summary>
internal sealed partial class MeshOptionsParser
{
    private MeshOptions WithDiscovery(MeshOptions options)
    {
        var scheme = OneOf(MeshSettings.ConsulScheme, "http", ("http", "http"), ("https", "https"));
        var token = raw[MeshSettings.ConsulHttpToken].Value;
        var caFile = raw[MeshSettings.ConsulCaFile];
        if (caFile.Value.Length > 0 && (!Path.IsPathFullyQualified(caFile.Value) || !File.Exists(caFile.Value)))
        {
            Problems.Add($"{caFile.Describe()}: expected the absolute path of an existing PEM file (the CA that signed Consul's certificate)");
        }

        var ttl = raw[MeshSettings.DnsTtl];
        if (!int.TryParse(ttl.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 86400)
        {
            Problems.Add($"{ttl.Describe()}: expected a whole number of seconds from 0 to 86400");
        }

        var networks = raw[MeshSettings.CheckAllowedNetworks];
        var allowed = AllowedNetworks.Parse(networks.Value);
        if (allowed is null)
        {
            Problems.Add($"{networks.Describe()}: expected {AllowedNetworks.Expected}");
        }

        var defaultAddress = raw[MeshSettings.ServicesDefaultAddress];
        if (defaultAddress.Value.Length > 0 && Uri.CheckHostName(defaultAddress.Value) == UriHostNameType.Unknown)
        {
            Problems.Add($"{defaultAddress.Describe()}: expected an IP address or host name (e.g. 127.0.0.1 when every service runs on the host network), or unset for each service's own name");
        }

        return options with
        {
            ServicesDefaultAddress = defaultAddress.Value.Length == 0 ? null : defaultAddress.Value,
            CheckAllowedNetworks = allowed ?? AllowedNetworks.Default,
            ConsulScheme = scheme,
            ConsulHttpToken = token.Length == 0 ? null : token,
            ConsulCaFile = caFile.Value.Length == 0 ? null : caFile.Value,
            DnsTtl = TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 86400)),
        };
    }
}
