using System.Reflection;

namespace ServiceMesh.Configuration;

/// <summary>The version stamped at build time (InformationalVersion, e.g. "1.0.0+&lt;git sha&gt;").</summary>
internal static class BuildInfo
{
    public const string ServiceName = "lucid-service-mesh";

    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
