using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Configuration;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;
using ServiceMesh.Http;

namespace ServiceMesh.Discovery.Server;

/// <summary>The agent's check and maintenance writes (agent_endpoint.go), with Consul's status codes and messages.</summary>
internal static class ConsulCheckRoutes
{
    public static void MapConsulChecks(this IEndpointRouteBuilder app, RegistryStore store, string? token)
    {
        app.MapPut("/v1/agent/check/register", context => ConsulRoutes.Guarded(context, token, async () =>
        {
            var (check, problem) = await JsonBody.ReadAsync(context.Request, ConsulJsonContext.Default.AgentCheckRegistration, context.RequestAborted);
            var refusal = problem is not null ? new CheckRefusal(problem.Status, $"Request decode failed: {problem}") : Refusal(check!);
            refusal ??= await store.RegisterCheckAsync(check!, context.RequestAborted);
            if (refusal is not null)
            {
                await ConsulHttpApi.ErrorAsync(context, refusal.Status, refusal.Reason);
            }
        }));
        app.MapPut("/v1/agent/check/deregister/{**id}", (HttpContext context, string id) => ConsulRoutes.Guarded(context, token, async () =>
        {
            if (!await store.DeregisterCheckAsync(id, context.RequestAborted))
            {
                await UnknownCheckAsync(context, store, id);
            }
        }));
        foreach (var (verb, status) in new[] { ("pass", HealthStatuses.Passing), ("warn", HealthStatuses.Warning), ("fail", HealthStatuses.Critical) })
        {
            app.MapPut($"/v1/agent/check/{verb}/{{**id}}", (HttpContext context, string id) =>
                ConsulRoutes.Guarded(context, token, () => UpdateAsync(context, store, id, status, context.Request.Query["note"])));
        }

        app.MapPut("/v1/agent/check/update/{**id}", (HttpContext context, string id) => ConsulRoutes.Guarded(context, token, async () =>
        {
            var (update, problem) = await JsonBody.ReadAsync(context.Request, ConsulJsonContext.Default.CheckUpdate, context.RequestAborted);
            if (problem is not null || !HealthStatuses.IsKnown(update!.Status))
            {
                await ConsulHttpApi.ErrorAsync(context, 400, problem is not null ? $"Request decode failed: {problem}" : $"Invalid check status: '{update!.Status}'");
                return;
            }

            await UpdateAsync(context, store, id, update.Status!, update.Output);
        }));
        app.MapPut("/v1/agent/service/maintenance/{id}", (HttpContext context, string id) => ConsulRoutes.Guarded(context, token, () => MaintenanceAsync(context, store, id)));
        app.MapPut("/v1/agent/maintenance", context => ConsulRoutes.Guarded(context, token, () => MaintenanceAsync(context, store, "")));
    }

    // agent_endpoint.go AgentRegisterCheck's order: a body that decodes, a name, a known status, a check type that validates.
    private static CheckRefusal? Refusal(AgentCheckRegistration check)
    {
        var durations = new[] { check.Ttl, check.Interval, check.Timeout, check.DeregisterCriticalServiceAfter };
        if (durations.FirstOrDefault(d => d is not null && !GoDuration.TryParse(d, out _)) is { } bad)
        {
            return new CheckRefusal(400, $"Request decode failed: time: invalid duration \"{bad}\"");
        }

        return string.IsNullOrEmpty(check.Name) ? new CheckRefusal(400, "Missing check name")
            : check.Status is not null && !HealthStatuses.IsKnown(check.Status) ? new CheckRefusal(400, "Bad check status")
            : CheckRegistrationRules.IsStatic(check)
                ? new CheckRefusal(400, "Invalid check: exactly one of HTTP, TCP or TTL is required (script, gRPC and Docker checks are not supported here)")
                : null;
    }

    private static Task UpdateAsync(HttpContext context, RegistryStore store, string id, string status, string? output) => store.UpdateTtl(id, status, output) switch
    {
        null => UnknownCheckAsync(context, store, id),
        false => ConsulHttpApi.ErrorAsync(context, 500, $"CheckID \"{id}\" does not have associated TTL"),
        true => Task.CompletedTask,
    };

    // acl.go vetCheckUpdateWithAuthorizer's answer; a service's own check goes with its service, so it cannot go alone.
    private static Task UnknownCheckAsync(HttpContext context, RegistryStore store, string id) => store.CheckStateOf(id) is null
        ? ConsulHttpApi.ErrorAsync(context, 404, $"Unknown check ID \"{id}\". Ensure that the check ID is passed, not the check name.")
        : ConsulHttpApi.ErrorAsync(context, 400, ServiceOwned(id));

    public static string ServiceOwned(string checkId) =>
        $"Check \"{checkId}\" is part of its service's registration: deregister or re-register the service instead";

    private static async Task MaintenanceAsync(HttpContext context, RegistryStore store, string serviceId)
    {
        var query = context.Request.Query;
        if (!query.ContainsKey("enable"))
        {
            await ConsulHttpApi.ErrorAsync(context, 400, "Missing value for enable");
            return;
        }

        if (ParseBool(query["enable"].ToString()) is not { } enable)
        {
            await ConsulHttpApi.ErrorAsync(context, 400, $"Invalid value for enable: \"{query["enable"]}\"");
            return;
        }

        if (!await store.SetMaintenanceAsync(serviceId, enable, query["reason"], context.RequestAborted))
        {
            await ConsulHttpApi.ErrorAsync(context, 404, $"No service registered with ID \"{serviceId}\"");
        }
    }

    // Go's strconv.ParseBool.
    private static bool? ParseBool(string text) => text switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };
}
