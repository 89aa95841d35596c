using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Build.Compose;

/// <summary>
/// Turns the platform's compose files, as <c>config</c> renders them, into what an engine without a bridge network can
/// run: every service's <c>networks</c> and <c>ports</c> and the top-level <c>networks</c> go (compose refuses
/// <c>network_mode: host</c> beside them, and the host network has no published ports); everything else stays as rendered.
/// </summary>
internal static class HostNetworkRendering
{
    public static string WithoutNetworks(string rendered)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(rendered));
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new Engine.BuildFailureException("docker-compose config rendered no single YAML mapping; cannot apply the host-network override.");
        }

        root.Children.Remove(new YamlScalarNode("networks"));
        if (root.Children.TryGetValue(new YamlScalarNode("services"), out var services) && services is YamlMappingNode serviceMap)
        {
            foreach (var service in serviceMap.Children.Values.OfType<YamlMappingNode>())
            {
                service.Children.Remove(new YamlScalarNode("networks"));
                service.Children.Remove(new YamlScalarNode("ports"));
            }
        }

        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }
}
