using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AnFunctions.Cli.Simulation;

/// <summary>The document <c>simulate</c> prints (field names are a contract: fields may be added, never renamed).</summary>
internal sealed record SimulationResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("armWrites")] IReadOnlyList<ArmWriteView> ArmWrites,
    [property: JsonPropertyName("findings")] IReadOnlyList<JsonObject> Findings,
    [property: JsonPropertyName("alerts")] IReadOnlyList<JsonObject> Alerts,
    [property: JsonPropertyName("pools")] IReadOnlyList<PoolView> Pools,
    [property: JsonPropertyName("decisions")] IReadOnlyList<DecisionView> Decisions,
    [property: JsonPropertyName("events")] IReadOnlyList<EventView> Events,
    [property: JsonPropertyName("armCalls")] IReadOnlyDictionary<string, int> ArmCalls);

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
