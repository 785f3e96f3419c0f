using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AnFunctions.Cli.Simulation;

/// <summary>The document <c>simulate</c> prints (field names are a contract: fields may be added, never renamed).</summary>
internal sealed record SimulationResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("armWrites")] IReadOnlyList<ArmWriteView> ArmWrites,
    [property: JsonPropertyName("findings")] IReadOnlyList<FindingView> Findings,
    [property: JsonPropertyName("alerts")] IReadOnlyList<AlertView> Alerts,
    [property: JsonPropertyName("pools")] IReadOnlyList<PoolView> Pools,
    [property: JsonPropertyName("decisions")] IReadOnlyList<DecisionView> Decisions,
    [property: JsonPropertyName("events")] IReadOnlyList<EventView> Events,
    [property: JsonPropertyName("armCalls")] IReadOnlyDictionary<string, int> ArmCalls,
    [property: JsonPropertyName("http")] IReadOnlyList<HttpView> Http);

/// <summary>One <c>http</c> step: the request and the answer of the HTTP function it reached.</summary>
internal sealed record HttpView(
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("body")] JsonNode? Body);

internal sealed record ArmWriteView(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("resourceId")] string ResourceId,
    [property: JsonPropertyName("body")] JsonNode? Body);

internal sealed record PoolView(
    [property: JsonPropertyName("resourceId")] string ResourceId,
    [property: JsonPropertyName("vmSize")] string VmSize,
    [property: JsonPropertyName("acceleratedNetworking")] bool AcceleratedNetworking);

internal sealed record DecisionView(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("resourceId")] string ResourceId,
    [property: JsonPropertyName("trigger")] string Trigger,
    [property: JsonPropertyName("eventId")] string? EventId,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("explanation")] string Explanation);

internal sealed record EventView(
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("eventId")] string EventId,
    [property: JsonPropertyName("disposition")] string Disposition,
    [property: JsonPropertyName("detail")] string Detail);

internal sealed record FindingView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("resourceId")] string ResourceId,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("consequence")] string Consequence,
    [property: JsonPropertyName("remedy")] string Remedy,
    [property: JsonPropertyName("firstSeen")] DateTimeOffset FirstSeen,
    [property: JsonPropertyName("lastSeen")] DateTimeOffset LastSeen,
    [property: JsonPropertyName("resolvedAt")] DateTimeOffset? ResolvedAt,
    [property: JsonPropertyName("evidence")] JsonNode? Evidence);

internal sealed record AlertView(
    [property: JsonPropertyName("findingId")] string FindingId,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("resourceId")] string ResourceId,
    [property: JsonPropertyName("at")] DateTimeOffset At);
