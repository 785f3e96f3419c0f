using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace AnFunctions.Api;

/// <summary>
/// A JSON answer written straight to the response with <see cref="ApiJson.Options"/>: no MVC formatter is involved,
/// so the bytes are the same in the host, in tests and in the CLI's dispatcher.
/// </summary>
public sealed class ApiResult(int status, object? body, string contentType = ApiResult.Json) : IActionResult
{
    public const string Json = "application/json; charset=utf-8";
    public const string ProblemJson = "application/problem+json; charset=utf-8";

    public int Status { get; } = status;
    public object? Body { get; } = body;
    public string ContentType { get; } = contentType;
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public ApiResult WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = Status;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        response.Headers.CacheControl = "no-store";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        if (Body is null)
        {
            return;
        }

        response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(response.Body, Body, Body.GetType(), ApiJson.Options, context.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
