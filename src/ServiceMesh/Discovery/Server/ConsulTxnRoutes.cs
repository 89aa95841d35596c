using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// PUT /v1/txn with KV operations, as Consul's txn endpoint: at most 64, all or none, 409 with every failed operation;
/// reads only are answered without a log write. Node, service, check and session operations are refused per operation.
/// </summary>
internal static class ConsulTxnRoutes
{
    /// <summary>Consul's maxTxnOps.</summary>
    public const int MaxOperations = 64;

    public static void MapConsulTxn(this IEndpointRouteBuilder app, RegistryStore store, string? token)
    {
        app.MapPut("/v1/txn", context => ConsulRoutes.Guarded(context, token, async () =>
        {
            List<TxnOp>? ops;
            try
            {
                ops = await JsonSerializer.DeserializeAsync(context.Request.Body, ConsulSessionJsonContext.Default.ListTxnOp, context.RequestAborted);
            }
            catch (JsonException e)
            {
                await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status400BadRequest, $"Failed to parse body: {e.Message}");
                return;
            }

            ops ??= [];
            if (ops.Count > MaxOperations)
            {
                await ConsulHttpApi.ErrorAsync(context, StatusCodes.Status413PayloadTooLarge,
                    string.Create(CultureInfo.InvariantCulture, $"Transaction contains too many operations ({ops.Count} > {MaxOperations})"));
                return;
            }

            var unserved = ops.Select((op, i) => op.Kv is null ? new TxnError(i, Unserved(op)) : null).OfType<TxnError>().ToList();
            if (unserved.Count > 0)
            {
                await WriteAsync(context, new TxnResponse(null, unserved));
                return;
            }

            var kv = ops.Select(op => new KvOperation(op.Kv!.Verb, op.Kv.Key, op.Kv.Value, op.Kv.Flags, op.Kv.Index, op.Kv.Session)).ToList();
            var outcome = kv.Any(op => KvVerbs.IsWrite(op.Verb)) ? await store.WriteKvAsync(kv, context.RequestAborted) : store.ReadKv(kv);
            await WriteAsync(context, new TxnResponse(
                outcome.Results?.Select(r => new TxnResult(KvPair.From(r))).ToList(),
                outcome.Errors?.Select(e => new TxnError(e.OpIndex, e.What)).ToList()));
        }));
    }

    private static string Unserved(TxnOp op) =>
        op.Node is not null || op.Service is not null || op.Check is not null || op.Session is not null
            ? "the embedded agent serves KV operations in a transaction only; register services and checks through /v1/agent"
            : "no operation specified";

    private static Task WriteAsync(HttpContext context, TxnResponse response)
    {
        if (response.Errors is { Count: > 0 })
        {
            context.Response.StatusCode = StatusCodes.Status409Conflict;
        }

        return ConsulHttpApi.WriteAsync(context, response, ConsulSessionJsonContext.Default.TxnResponse);
    }
}
