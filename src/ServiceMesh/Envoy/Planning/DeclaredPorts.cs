using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Definitions;
using ServiceMesh.Envoy.Inputs;

namespace ServiceMesh.Envoy.Planning;

/// <summary>services.yaml's sidecars on the host's port plan at start: a collision there is a configuration problem (exit 78).</summary>
internal static class DeclaredPorts
{
    /// <summary>One line per services.yaml entry the plan would exclude, naming file, line, key and the holder of the port.</summary>
    public static IReadOnlyList<string> Problems(ServiceDefinitions definitions, MeshOptions options)
    {
        var declared = definitions.Services.Where(s => s.Mesh is not null).ToDictionary(s => s.Name, StringComparer.Ordinal);
        // Ranked by line, so the later entry is the one reported, naming the earlier holder.
        var plan = HostPortPlan.Assign(declared.Values.Select(s => new RankedMember(CatalogMeshInputs.Declared(s, []), ServiceDefinitionsFile.FileName, -s.Line)),
            new HostPortRanges(options.EnvoyAdminPort), EnvoySettings.ReservedPortsOf(options));
        return [.. plan.Excluded.Select(e => $"{definitions.Path} line {declared[e.Service].Line}, key '{e.Service}.mesh': {e.Reason}")];
    }
}
