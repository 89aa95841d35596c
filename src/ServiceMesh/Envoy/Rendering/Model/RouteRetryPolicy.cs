namespace ServiceMesh.Envoy.Rendering.Model;

/// <summary>
/// config.route.v3.RetryPolicy: retry only what never reached the application or was cut off (connect failure, refused
/// stream, reset; for gRPC also cancelled and unavailable, as Istio does), each retry on another host where there is one.
/// </summary>
internal sealed record RouteRetryPolicy(string RetryOn, int NumRetries, TimeSpan? PerTryTimeout) : IEnvoyMessage
{
    public const string Http = "connect-failure,refused-stream,reset";
    public const string Grpc = Http + ",cancelled,unavailable";

    public void WriteFields(EnvoyYamlWriter yaml) => yaml
        .Field("retry_on", RetryOn)
        .Field("num_retries", NumRetries)
        .Field("per_try_timeout", PerTryTimeout)
        .List("retry_host_predicate", [new TypedExtension("envoy.retry_host_predicates.previous_hosts", new PreviousHostsPredicate())])
        .Field("host_selection_retry_max_attempts", 5);

    private sealed record PreviousHostsPredicate : IEnvoyTypedMessage
    {
        public string TypeUrl => EnvoyYamlWriter.TypeUrlPrefix + "envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate";

        public void WriteFields(EnvoyYamlWriter yaml) { }
    }
}
