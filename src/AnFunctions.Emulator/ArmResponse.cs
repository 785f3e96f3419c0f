using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;

namespace AnFunctions.Emulator;

/// <summary>An answer before it becomes an <see cref="HttpResponseMessage"/>.</summary>
internal sealed class ArmResponse
{
    private static readonly MediaTypeHeaderValue JsonContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    private ArmResponse(int status, ReadOnlyMemory<byte>? body, string? errorCode)
    {
        Status = status;
        Body = body;
        ErrorCode = errorCode;
    }

    public int Status { get; }
    public ReadOnlyMemory<byte>? Body { get; }

    /// <summary>The ARM error code, when this is an error.</summary>
    public string? ErrorCode { get; }

    public string? ETag { get; init; }

    /// <summary>The long-running operation an accepted write started (its status URL goes in <c>Azure-AsyncOperation</c>).</summary>
    public string? OperationId { get; private set; }
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public bool IsSuccess => Status is >= 200 and < 300;

    public static ArmResponse Json(int status, ReadOnlyMemory<byte> body, string? etag = null) => new(status, body, null) { ETag = etag };

    public static ArmResponse Empty(int status) => new(status, null, null);

    public static ArmResponse Error(int status, string code, string message) => new(status, ArmJson.Error(code, message), code);

    public static ArmResponse NotFound(string resourceId) => Error(404, "ResourceNotFound",
        $"The Resource '{ResourceTypeAndName(resourceId)}' under resource group '{ResourceGroupOf(resourceId)}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");

    public static ArmResponse PreconditionFailed(string? ifMatch) => Error(412, "PreconditionFailed",
        $"The condition specified using HTTP conditional header(s) is not met. If-Match: '{ifMatch}'.");

    public static ArmResponse BadRequest(string code, string message) => Error(400, code, message);

    public ArmResponse WithOperation(string operationId)
    {
        OperationId = operationId;
        return this;
    }

    public ArmResponse WithHeader(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }

    public HttpResponseMessage ToHttp(HttpRequestMessage request)
    {
        var message = new HttpResponseMessage((HttpStatusCode)Status) { RequestMessage = request };
        if (Body is { } body)
        {
            // ByteArrayContent reads as a MemoryStream, which the SDK can rewind and read again (LRO final state,
            // Response.Content); ReadOnlyMemoryContent's stream cannot be read twice by it.
            message.Content = MemoryMarshal.TryGetArray(body, out var segment)
                ? new ByteArrayContent(segment.Array!, segment.Offset, segment.Count)
                : new ByteArrayContent(body.ToArray());
            message.Content.Headers.ContentType = JsonContentType;
        }
        else
        {
            message.Content = new ByteArrayContent([]);
        }

        if (ETag is not null)
        {
            message.Headers.TryAddWithoutValidation("ETag", ETag);
        }

        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }

    public static string RetryAfterSeconds(TimeSpan retryAfter) =>
        ((long)Math.Ceiling(Math.Max(0, retryAfter.TotalSeconds))).ToString(CultureInfo.InvariantCulture);

    private static string ResourceTypeAndName(string resourceId)
    {
        var parts = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 8 ? $"{parts[5]}/{parts[6]}/{parts[7]}" : resourceId;
    }

    private static string ResourceGroupOf(string resourceId)
    {
        var parts = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 4 ? parts[3] : string.Empty;
    }
}
