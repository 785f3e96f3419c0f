using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace AnFunctions.Cli.Simulation;

/// <summary>One answer of the in-process dispatcher: what a caller of the host would have received.</summary>
internal sealed record HttpExchange(string Method, string Path, int Status, JsonNode? Body);

/// <summary>
/// Sends <c>{method, path, body}</c> as a real <see cref="HttpRequest"/> through <see cref="ApiRouter"/> (the host's
/// route table, endpoints and upstream error mapping) and executes the answer.
/// </summary>
internal sealed class HttpDispatcher(IServiceProvider services)
{
    private readonly ApiRouter _router = new(services);

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
        var result = await _router.SendAsync(context.Request, cancellationToken).ConfigureAwait(false);
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
}
