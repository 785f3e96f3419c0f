using System.Text.Json.Nodes;

namespace AnFunctions.Emulator;

/// <summary>A write (PUT, PATCH, DELETE, POST) that reached the emulator over HTTP, with the answer it got.</summary>
/// <param name="Method">The HTTP method, upper case.</param>
/// <param name="Kind">How the call was classified (<see cref="ArmCallKind.PatchScaleSet"/>, ...).</param>
/// <param name="ResourceId">The request path as sent (unescaped), without query string.</param>
/// <param name="Body">The request body parsed as JSON; null when there was none or it was not JSON.</param>
/// <param name="RawBody">The request body as text; null when there was none.</param>
/// <param name="IfMatch">The <c>If-Match</c> header as sent, if any.</param>
/// <param name="CorrelationId">The correlation id ARM assigned (the request's <c>x-ms-correlation-request-id</c>, or a new one).</param>
/// <param name="Status">The HTTP status answered; 0 when the call was cancelled or the connection was dropped.</param>
/// <param name="At">When the emulator received it (emulator clock).</param>
public sealed record RecordedWrite(
    string Method,
    ArmCallKind Kind,
    string ResourceId,
    JsonNode? Body,
    string? RawBody,
    string? IfMatch,
    string CorrelationId,
    int Status,
    DateTimeOffset At);
