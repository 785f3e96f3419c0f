using System.Text.Json.Nodes;

namespace AnFunctions.Cli.Simulation;

/// <summary>A scenario file, validated (docs/SCENARIOS.md describes the format).</summary>
internal sealed record Scenario(
    string Name,
    DateTimeOffset Start,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyList<JsonObject> Skus,
    IReadOnlyList<JsonObject> ScaleSets,
    IReadOnlyList<ScenarioStep> Steps);

internal abstract record ScenarioStep(int Index, DateTimeOffset? At);

internal sealed record AzurePutStep(int Index, DateTimeOffset? At, JsonObject ScaleSet) : ScenarioStep(Index, At);

internal sealed record AzureDeleteStep(int Index, DateTimeOffset? At, string ResourceId) : ScenarioStep(Index, At);

internal sealed record AzureFailedWriteStep(
    int Index, DateTimeOffset? At, string ResourceId, string CorrelationId, JsonNode? RequestBody, string ErrorCode, string ErrorMessage)
    : ScenarioStep(Index, At);

/// <summary>Event Grid delivers these events as one batch (the JSON exactly as the scenario gives it).</summary>
internal sealed record EventStep(int Index, DateTimeOffset? At, string Payload) : ScenarioStep(Index, At);

internal sealed record AuditStep(int Index, DateTimeOffset? At) : ScenarioStep(Index, At);

/// <summary>Nothing happens but time: redeliveries and timers that fall due by then run.</summary>
internal sealed record TickStep(int Index, DateTimeOffset? At) : ScenarioStep(Index, At);

/// <summary>The next <see cref="Times"/> ARM calls of a kind fail with <see cref="Status"/> (and <c>Retry-After</c> when given).</summary>
internal sealed record AzureFaultStep(int Index, DateTimeOffset? At, AnFunctions.Emulator.ArmCallKind Call, int Status, int Times, TimeSpan? RetryAfter, string? ErrorCode)
    : ScenarioStep(Index, At);

/// <summary>ARM accepts the next operation on the scale set, and the operation then fails with this error.</summary>
internal sealed record AzureFailNextOperationStep(int Index, DateTimeOffset? At, string ResourceId, string ErrorCode, string ErrorMessage) : ScenarioStep(Index, At);

internal sealed record HttpStep(int Index, DateTimeOffset? At, string Method, string Path, JsonNode? Body) : ScenarioStep(Index, At);

/// <summary>A scenario file that is not valid: names the file, the place (step and field) and what is wrong.</summary>
internal sealed class ScenarioException : Exception
{
    public ScenarioException(string file, string place, string problem)
        : base($"{file}: {place}: {problem}")
    {
        File = file;
        Place = place;
        Problem = problem;
    }

    public ScenarioException() { }

    public ScenarioException(string message) : base(message) { }

    public ScenarioException(string message, Exception inner) : base(message, inner) { }

    public string File { get; } = string.Empty;
    public string Place { get; } = string.Empty;
    public string Problem { get; } = string.Empty;
}
