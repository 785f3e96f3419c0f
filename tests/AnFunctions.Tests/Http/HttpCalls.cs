using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace AnFunctions.Tests.Http;

/// <summary>A response as a client sees it: status, headers, the body's bytes as text.</summary>
internal sealed record HttpAnswer(int Status, IHeaderDictionary Headers, string? ContentType, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public string ProblemType => Json["type"]!.GetValue<string>();
}

/// <summary>Real <see cref="HttpRequest"/>s (DefaultHttpContext) in, executed <see cref="IActionResult"/>s out.</summary>
internal static class HttpCalls
{
    public static HttpRequest Request(string method, string query = "", string? body = null, string? contentType = "application/json", bool declareLength = true)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("an-func.azurewebsites.net");
        context.Request.QueryString = string.IsNullOrEmpty(query) ? QueryString.Empty : new QueryString(query.StartsWith('?') ? query : "?" + query);
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = declareLength ? bytes.Length : null;
            context.Request.ContentType = contentType;
        }

        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    public static HttpRequest Json(string method, JsonNode body, string query = "") => Request(method, query, body.ToJsonString());

    public static async Task<HttpAnswer> ExecuteAsync(HttpRequest request, IActionResult result)
    {
        await result.ExecuteResultAsync(new ActionContext(request.HttpContext, new RouteData(), new Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor()));
        return await ReadAsync(request);
    }

    /// <summary>The response written to <paramref name="request"/>'s context so far.</summary>
    public static async Task<HttpAnswer> ReadAsync(HttpRequest request)
    {
        var context = request.HttpContext;
        context.Response.Body.Position = 0;
        using var reader = new StreamReader(context.Response.Body, leaveOpen: true);
        return new HttpAnswer(context.Response.StatusCode, context.Response.Headers, context.Response.ContentType, await reader.ReadToEndAsync());
    }

    public static async Task<HttpAnswer> CallAsync(HttpRequest request, Func<HttpRequest, CancellationToken, Task<IActionResult>> function) =>
        await ExecuteAsync(request, await function(request, CancellationToken.None));

    /// <summary>Asserts an RFC 9457 problem: media type, stable type URI, title, status, detail, and nothing like a stack trace.</summary>
    public static void AssertProblem(HttpAnswer answer, int status, string slug)
    {
        Assert.Equal(status, answer.Status);
        Assert.StartsWith("application/problem+json", answer.ContentType, StringComparison.Ordinal);
        var problem = answer.Json;
        Assert.Equal("https://anfunctions.dev/problems/" + slug, problem["type"]!.GetValue<string>());
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]!.GetValue<string>()));
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]!.GetValue<string>()));
        Assert.DoesNotContain("   at ", answer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", answer.Body, StringComparison.Ordinal);
    }
}
