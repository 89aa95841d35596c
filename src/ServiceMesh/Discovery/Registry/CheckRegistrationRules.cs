using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;

namespace ServiceMesh.Discovery.Registry;

/// <summary>Checks registered on their own: agent/check/register, maintenance (agent.go) and catalog/register.</summary>
internal static class CheckRegistrationRules
{
    public const string ServiceMaintenancePrefix = "_service_maintenance:";
    public const string NodeMaintenanceId = "_node_maintenance";
    // agent.go's defaultServiceMaintReason and defaultNodeMaintReason.
    public const string DefaultServiceReason = "Maintenance mode is enabled for this service, but no reason was provided. This is a default message.";
    public const string DefaultNodeReason = "Maintenance mode is enabled for this node, but no reason was provided. This is a default message.";

    /// <summary>The normalised registration (ID: ID, else CheckID, else Name, as in Consul) and its definition, or why it is
    /// refused. One without HTTP, TCP or TTL is a static check (catalog/register's), which nobody runs.</summary>
    /// <param name="networks">Where checks may connect; null at replay (see <see cref="RegistrationRules.Normalize"/>).</param>
    public static (AgentCheckRegistration? Registration, CheckDefinition? Definition, string? Error) Normalize(AgentCheckRegistration request, AllowedNetworks? networks)
    {
        var id = new[] { request.Id, request.CheckId, request.Name }.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
        if (id is null)
        {
            return (null, null, "Missing check name");
        }

        var normalized = request with { Id = id, CheckId = null, Name = string.IsNullOrEmpty(request.Name) ? id : request.Name, ServiceId = request.ServiceId ?? "" };
        if (IsStatic(request))
        {
            if (request.Status is not null && !HealthStatuses.IsKnown(request.Status))
            {
                return (null, null, $"Status '{request.Status}' must be passing, warning or critical");
            }

            return (normalized, Static(id, normalized.Name!, request.Status ?? HealthStatuses.Critical, request.Notes ?? ""), null);
        }

        var (definition, error) = RegistrationRules.Check(normalized.AsServiceCheck(), id, serviceName: "", networks);
        return error is null ? (normalized, definition, null) : (null, null, error);
    }

    public static bool IsStatic(AgentCheckRegistration request) =>
        string.IsNullOrWhiteSpace(request.Http) && string.IsNullOrWhiteSpace(request.Tcp) && string.IsNullOrWhiteSpace(request.Ttl);

    /// <summary>Consul's critical "Service Maintenance Mode" / "Node Maintenance Mode" check; <paramref name="serviceId"/> "" for the node.</summary>
    public static AgentCheckRegistration Maintenance(string serviceId, string? reason) => serviceId.Length == 0
        ? new() { Id = NodeMaintenanceId, Name = "Node Maintenance Mode", Notes = string.IsNullOrEmpty(reason) ? DefaultNodeReason : reason, Status = HealthStatuses.Critical, ServiceId = "" }
        : new()
        {
            Id = ServiceMaintenancePrefix + serviceId, Name = "Service Maintenance Mode", Notes = string.IsNullOrEmpty(reason) ? DefaultServiceReason : reason,
            Status = HealthStatuses.Critical, ServiceId = serviceId,
        };

    public static CheckDefinition MaintenanceDefinition(AgentCheckRegistration maintenance) =>
        Static(maintenance.Id!, maintenance.Name!, HealthStatuses.Critical, maintenance.Notes ?? "") with { Maintenance = true };

    private static CheckDefinition Static(string id, string name, string status, string notes) =>
        new(id, name, null, "GET", null, null, TimeSpan.Zero, TimeSpan.Zero, null, status, notes);
}
