namespace ServiceMesh.Envoy.Rendering.Model;

// extensions.transport_sockets.tls.v3 messages.

/// <summary>DownstreamTlsContext: the inbound side of mTLS.</summary>
internal sealed record DownstreamTlsContext(CommonTlsContext CommonTlsContext, bool RequireClientCertificate) : IEnvoyTypedMessage
{
    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";

    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("common_tls_context", CommonTlsContext)
        .Field("require_client_certificate", RequireClientCertificate);
}

/// <summary>UpstreamTlsContext: the outbound side of mTLS.</summary>
internal sealed record UpstreamTlsContext(CommonTlsContext CommonTlsContext, string Sni) : IEnvoyTypedMessage
{
    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";

    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("common_tls_context", CommonTlsContext).Field("sni", Sni);
}

/// <summary>
/// CommonTlsContext with certificates from SDS. Either a plain validation context from SDS (inbound: any peer the
/// trust bundle signed, RBAC decides who) or a combined one adding SAN matchers (outbound: exactly the upstream's ID).
/// ALPN (alpn_protocols) only for HTTP/2 services: h2 on the mTLS hop.
/// </summary>
internal sealed record CommonTlsContext(
    IReadOnlyList<SdsSecretConfig> TlsCertificateSdsSecretConfigs,
    SdsSecretConfig? ValidationContextSdsSecretConfig = null,
    CombinedValidationContext? CombinedValidationContext = null,
    TlsParameters? TlsParams = null,
    IReadOnlyList<string>? AlpnProtocols = null) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("tls_params", TlsParams)
        .List("tls_certificate_sds_secret_configs", TlsCertificateSdsSecretConfigs)
        .Field("validation_context_sds_secret_config", ValidationContextSdsSecretConfig)
        .Field("combined_validation_context", CombinedValidationContext)
        .Strings("alpn_protocols", AlpnProtocols);
}

/// <summary>SdsSecretConfig: a secret by name, fetched from a config source (here: a watched file); name only = static secret.</summary>
internal sealed record SdsSecretConfig(string Name, ConfigSource? SdsConfig) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("name", Name).Field("sds_config", SdsConfig);
}

/// <summary>CommonTlsContext.CombinedValidationContext: static matchers merged with the SDS-delivered trust bundle.</summary>
internal sealed record CombinedValidationContext(CertificateValidationContext DefaultValidationContext, SdsSecretConfig ValidationContextSdsSecretConfig) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("default_validation_context", DefaultValidationContext)
        .Field("validation_context_sds_secret_config", ValidationContextSdsSecretConfig);
}

/// <summary>CertificateValidationContext (match_typed_subject_alt_names replaces the deprecated match_subject_alt_names).</summary>
internal sealed record CertificateValidationContext(
    DataSource? TrustedCa = null,
    WatchedDirectory? WatchedDirectory = null,
    IReadOnlyList<SubjectAltNameMatcher>? MatchTypedSubjectAltNames = null,
    DataSource? Crl = null,
    bool OnlyVerifyLeafCertCrl = false) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("trusted_ca", TrustedCa)
        .Field("watched_directory", WatchedDirectory)
        .List("match_typed_subject_alt_names", MatchTypedSubjectAltNames)
        .Field("crl", Crl)
        .Field("only_verify_leaf_cert_crl", OnlyVerifyLeafCertCrl ? true : (bool?)null);
}

/// <summary>SubjectAltNameMatcher of type URI: where a SPIFFE ID lives in an X.509-SVID.</summary>
internal sealed record SubjectAltNameMatcher(string SanType, StringMatcher Matcher) : IEnvoyMessage
{
    public static SubjectAltNameMatcher Uri(string exact) => new("URI", new StringMatcher(Exact: exact));

    public void WriteFields(EnvoyYamlWriter yaml) => yaml.Field("san_type", SanType).Field("matcher", Matcher);
}

/// <summary>Secret: a certificate with its key, or a validation context (the trust bundle).</summary>
internal sealed record Secret(string Name, TlsCertificate? TlsCertificate = null, CertificateValidationContext? ValidationContext = null) : IEnvoyTypedMessage
{
    public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.transport_sockets.tls.v3.Secret";

    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("name", Name)
        .Field("tls_certificate", TlsCertificate)
        .Field("validation_context", ValidationContext);
}

/// <summary>TlsCertificate from files; watched_directory makes Envoy re-read chain and key together after a move there.</summary>
internal sealed record TlsCertificate(DataSource CertificateChain, DataSource PrivateKey, WatchedDirectory? WatchedDirectory) : IEnvoyMessage
{
    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("certificate_chain", CertificateChain)
        .Field("private_key", PrivateKey)
        .Field("watched_directory", WatchedDirectory);
}

/// <summary>The transport socket wrapping a TLS context.</summary>
internal static class TlsTransportSocket
{
    public const string Name = "envoy.transport_sockets.tls";

    public static TypedExtension Of(IEnvoyTypedMessage context) => new(Name, context);
}
