using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Functions.Http;
using AnFunctions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Cli.Simulation;

/// <summary>One answer of the in-process dispatcher: what a caller of the host would have received.</summary>
internal sealed record HttpExchange(string Method, string Path, int Status, JsonNode? Body);

/// <summary>
/// Routes <c>{method, path, body}</c> to the HTTP function classes the host runs (same routes as their
/// <c>HttpTrigger</c> attributes), with real <see cref="HttpRequest"/>s, and executes their results.
/// </summary>
internal sealed class HttpDispatcher(IServiceProvider services)
{
    public async Task<HttpExchange> SendAsync(string method, string pathAndQuery, JsonNode? body, CancellationToken cancellationToken)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        var split = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = split < 0 ? pathAndQuery : pathAndQuery[..split];
        context.Request.Method = method.ToUpperInvariant();
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = path;
        context.Request.QueryString = split < 0 ? QueryString.Empty : new QueryString(pathAndQuery[split..]);
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = "application/json";
        }

        var response = new MemoryStream();
        context.Response.Body = response;
        var result = await RouteAsync(context.Request, path, cancellationToken).ConfigureAwait(false);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor())).ConfigureAwait(false);
        var text = Encoding.UTF8.GetString(response.ToArray());
        JsonNode? json;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            json = JsonValue.Create(text);
        }

        return new HttpExchange(context.Request.Method, pathAndQuery, context.Response.StatusCode, json);
    }

    private Task<IActionResult> RouteAsync(HttpRequest request, string path, CancellationToken cancellationToken)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var get = HttpMethods.IsGet(request.Method);
        var post = HttpMethods.IsPost(request.Method);
        return segments switch
        {
            ["api", "pools", "reconcile"] when post => Create<PoolsFunctions>().ReconcileAsync(request, cancellationToken),
            ["api", "pools", "explain"] when get => Create<PoolsFunctions>().ExplainAsync(request, cancellationToken),
            ["api", "audits"] when post => Create<AuditsFunctions>().StartAsync(request, cancellationToken),
            ["api", "audits", var runId] when get => Create<AuditsFunctions>().StatusAsync(request, Uri.UnescapeDataString(runId), cancellationToken),
            ["api", "findings"] when get => Create<FindingsFunctions>().ListAsync(request, cancellationToken),
            ["api", "findings", var findingId] when get => Create<FindingsFunctions>().GetAsync(request, Uri.UnescapeDataString(findingId), cancellationToken),
            ["api", "pools", "reconcile"] or ["api", "pools", "explain"] or ["api", "audits", ..] or ["api", "findings", ..] =>
                Task.FromResult<IActionResult>(Problems.Make("method-not-allowed", "Method not allowed", 405, $"{request.Method} is not accepted on this route")),
            _ => Task.FromResult<IActionResult>(Problems.Make("route-not-found", "No such route", 404, "no HTTP function answers on this path")),
        };
    }

    private T Create<T>() => ActivatorUtilities.CreateInstance<T>(services);
}
