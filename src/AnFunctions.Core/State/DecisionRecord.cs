using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.State;

/// <summary>One decision the app made about a pool, kept so that "why" can be answered later.</summary>
public sealed record DecisionRecord
{
    public required ScaleSetId PoolId { get; init; }
    public required DateTimeOffset At { get; init; }
    public required DecisionOutcome Outcome { get; init; }
    public required DecisionReason Reason { get; init; }
    public required string Explanation { get; init; }

    /// <summary>What asked for the decision: <c>event</c>, <c>audit</c>, <c>http</c>, <c>cli</c>.</summary>
    public required string Trigger { get; init; }

    /// <summary>The Event Grid event id when an event triggered it.</summary>
    public string? EventId { get; init; }

    public IReadOnlyList<string> VmSizes { get; init; } = [];

    /// <summary>The ARM write body (sent, or planned in dry-run), when the decision is to write.</summary>
    public string? WriteBody { get; init; }
}

/// <summary>An Event Grid event the app has finished with; a redelivery of the same id costs no ARM call.</summary>
public sealed record ProcessedEvent(string EventId, string EventType, string Subject, DateTimeOffset ProcessedAt, string Outcome);

/// <summary>An event that could not be handled and will not be retried: kept with the reason, never dropped silently.</summary>
public sealed record RejectedEvent(string EventId, string Reason, string Excerpt, DateTimeOffset RejectedAt);
