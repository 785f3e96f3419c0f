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
    [property: JsonPropertyName("http")] IReadOnlyList<HttpView> Http,
    [property: JsonPropertyName("disruptions")] IReadOnlyList<DisruptionView> Disruptions,
    [property: JsonPropertyName("deadLettered")] IReadOnlyList<DeadLetterView> DeadLettered);

/// <summary>A moment instances of a scale set were restarted, deallocated or upgraded in place, by whatever cause.</summary>
internal sealed record DisruptionView(
    [property: JsonPropertyName("resourceId")] string ResourceId,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("instances")] int Instances,
    [property: JsonPropertyName("cause")] string Cause,
    [property: JsonPropertyName("nodesDown")] int NodesDown);

/// <summary>An event Event Grid gave up on: 30 attempts, or 24 hours since the first.</summary>
internal sealed record DeadLetterView(
    [property: JsonPropertyName("eventId")] string EventId,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("lastError")] string LastError);

/// <summary>The nodes' truth of one scale set: instances, running, with AN on every NIC as applied, on the latest model.</summary>
internal sealed record InstancesView(
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("running")] int Running,
    [property: JsonPropertyName("acceleratedNetworking")] int AcceleratedNetworking,
    [property: JsonPropertyName("onLatestModel")] int OnLatestModel);

/// <summary>One <c>http</c> step: the request and the answer of the HTTP function it reached.</summary>
internal sealed record HttpView(
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("body")] JsonNode? Body);

/// <param name="Status">What ARM answered (a refused write, a 412 or a 429 is listed too: it was sent).</param>
internal sealed record ArmWriteView(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("resourceId")] string ResourceId,
    [property: JsonPropertyName("body")] JsonNode? Body,
    [property: JsonPropertyName("status")] int Status);

/// <param name="AcceleratedNetworking">The model: every NIC configuration has AN on.</param>
/// <param name="Instances">The nodes: what they really run with.</param>
internal sealed record PoolView(
    [property: JsonPropertyName("resourceId")] string ResourceId,
    [property: JsonPropertyName("vmSize")] string VmSize,
    [property: JsonPropertyName("acceleratedNetworking")] bool AcceleratedNetworking,
    [property: JsonPropertyName("upgradePolicy")] string UpgradePolicy,
    [property: JsonPropertyName("instances")] InstancesView Instances);

internal sealed record DecisionView(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("resourceId")] string ResourceId,
    [property: JsonPropertyName("trigger")] string Trigger,
    [property: JsonPropertyName("eventId")] string? EventId,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("explanation")] string Explanation);

/// <param name="Attempt">1 for the first delivery; Event Grid's redeliveries count up.</param>
internal sealed record EventView(
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("eventId")] string EventId,
    [property: JsonPropertyName("disposition")] string Disposition,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("at")] DateTimeOffset At);

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
