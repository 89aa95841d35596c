using ServiceMesh.Storage;

namespace ServiceMesh.Envoy.Output;

/// <summary>One generated file: its path relative to ENVOY_CONFIG_PATH and its full content.</summary>
/// <param name="HoldsPrivateKey">The file carries a private key (sds-cert.yaml): readable by the mesh user alone, which is the user a sidecar that loads its key runs as.</param>
internal sealed record EnvoyFile(string RelativePath, string Content, bool HoldsPrivateKey = false)
{
    /// <summary>0600 for a file with a key, else 0644 (a sidecar running as another user reads its configuration).</summary>
    public UnixFileMode Mode => HoldsPrivateKey ? FileModes.Private : FileModes.Readable;

    public override string ToString() => $"EnvoyFile {{ RelativePath = {RelativePath}, Length = {Content.Length} }}"; // never a key
}

/// <summary>A service's files, in the order they must reach disk (SDS, then CDS before LDS, the bootstrap last).</summary>
internal sealed record EnvoyFileSet(string Service, IReadOnlyList<EnvoyFile> Files);

/// <summary>Where each file of a sidecar lives under ENVOY_CONFIG_PATH.</summary>
internal sealed record EnvoyFileLayout(string Root)
{
    public const string Cds = "cds.yaml";
    public const string Lds = "lds.yaml";
    public const string SdsCertificate = "sds-cert.yaml";
    public const string SdsTrustBundle = "sds-ca.yaml";

    /// <summary>The files the dynamic layout keeps in a service's folder (anything else there is not ours).</summary>
    public static IReadOnlyList<string> FolderFiles { get; } = [SdsCertificate, SdsTrustBundle, Cds, Lds];

    public static string BootstrapName(string service) => service + ".yaml";

    public string InFolder(string service, string file) => Path.Combine(Root, service, file);
}
