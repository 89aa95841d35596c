using System.Net;
using System.Text;
using ServiceMesh.Configuration;

namespace ServiceMesh.Api;

/// <summary>
/// GET /docs: one self-contained HTML page (inline style, no script, no external URL) listing every route of
/// <see cref="ApiRoutes"/>, so it reads the same offline, behind Tor or on an air-gapped host.
/// </summary>
internal static class DocsPage
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}" +
        "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left;vertical-align:top}" +
        "code{font-family:ui-monospace,monospace}.m{font-weight:bold}.t{color:#a40}";

    public static string Render(IReadOnlyList<ApiRoute> routes)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(Encode(BuildInfo.ServiceName)).Append(" API</title><style>").Append(Style).Append("</style></head><body>");
        html.Append("<h1>").Append(Encode(BuildInfo.ServiceName)).Append(' ').Append(Encode(BuildInfo.Version)).Append("</h1>");
        html.Append("<p>Every route this process serves. The same list as an OpenAPI document: <a href=\"openapi.json\">openapi.json</a>. ")
            .Append("Errors are <code>application/problem+json</code> with a string <code>detail</code>; a 422 has <code>detail</code> as a list of ")
            .Append("<code>{loc, msg, type}</code> and the sentence in <code>summary</code>. Routes marked <span class=\"t\">token</span> need ")
            .Append("<code>Authorization: Bearer &lt;SERVICE_MESH_API_TOKEN&gt;</code> when that variable is set.</p>");
        html.Append("<table><thead><tr><th>Method</th><th>Path</th><th>Description</th></tr></thead><tbody>");
        foreach (var route in routes)
        {
            html.Append("<tr><td class=\"m\">").Append(Encode(route.Method)).Append("</td><td><code>").Append(Encode(route.Path)).Append("</code>");
            if (route.RequiresToken)
            {
                html.Append(" <span class=\"t\">token</span>");
            }

            html.Append("</td><td>").Append(Encode(route.Description)).Append("</td></tr>");
        }
        html.Append("</tbody></table></body></html>");
        return html.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
