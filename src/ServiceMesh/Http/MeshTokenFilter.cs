using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServiceMesh.Configuration;

namespace ServiceMesh.Http;

/// <summary>Marks an endpoint as needing the API token (also listed by GET /).</summary>
internal sealed class RequiresMeshTokenMetadata;

/// <summary>
/// <c>Authorization: Bearer &lt;SERVICE_MESH_API_TOKEN&gt;</c> for mutating routes. Later route groups opt in with
/// <c>.RequireMeshToken()</c>. With no token configured the routes are open (local development, tests).
/// </summary>
internal static class MeshTokenFilter
{
    public static TBuilder RequireMeshToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequiresMeshTokenMetadata());
        builder.AddEndpointFilter(static async (context, next) =>
        {
            var options = context.HttpContext.RequestServices.GetRequiredService<MeshOptions>();
            if (options.ApiToken is null || IsAuthorized(context.HttpContext.Request, options.ApiToken))
            {
                return await next(context).ConfigureAwait(false);
            }

            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Result(StatusCodes.Status401Unauthorized,
                "Send the header 'Authorization: Bearer <token>' with the value of SERVICE_MESH_API_TOKEN; this route changes state and needs it.");
        });
        return builder;
    }

    // Constant-time over fixed-length digests, so the comparison leaks neither content, mismatch position nor length.
    internal static bool IsAuthorized(HttpRequest request, string token)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return Matches(header[scheme.Length..].Trim(), token);
    }

    /// <summary>The one token comparison (8088 and the Consul API on 8500 alike).</summary>
    internal static bool Matches(string presented, string token) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
