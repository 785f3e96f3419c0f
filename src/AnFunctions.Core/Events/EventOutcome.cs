namespace AnFunctions.Core.Events;

public enum EventDisposition
{
    /// <summary>Handled (a decision was made and recorded).</summary>
    Handled,

    /// <summary>Recorded for later use (failed and cancelled writes, deletes).</summary>
    Recorded,

    /// <summary>Not an event the app acts on (other operations, other event types).</summary>
    Ignored,

    /// <summary>Already processed: a duplicate delivery, no ARM call.</summary>
    Duplicate,

    /// <summary>Refused for good (malformed, not a scale set, terminal ARM error): kept in the rejected-events table.</summary>
    Rejected,

    /// <summary>Failed for now: the delivery is failed so that Event Grid redelivers it.</summary>
    RetryLater,
}

public sealed record EventOutcome(string EventId, EventDisposition Disposition, string Detail, string? ResourceId = null)
{
    /// <summary>ARM calls made for this event (each retry counts).</summary>
    public int ArmCalls { get; init; }

    /// <summary>Table Storage round trips made for this event (each retry counts; none with the in-memory stores).</summary>
    public int TableCalls { get; init; }
}

public sealed record DeliveryResult(IReadOnlyList<EventOutcome> Outcomes)
{
    public bool HasRetries => Outcomes.Any(o => o.Disposition == EventDisposition.RetryLater);
}

/// <summary>
/// Thrown after a whole delivery was processed when some of its events failed transiently, so that the Functions host
/// fails the invocation and Event Grid redelivers. Events already handled are skipped on redelivery as duplicates.
/// </summary>
public sealed class DeliveryRetryException : Exception
{
    public DeliveryRetryException(IReadOnlyList<EventOutcome> retries)
        : base($"{retries.Count} event(s) failed transiently and must be redelivered: {string.Join(", ", retries.Select(r => r.EventId))}")
    {
        Retries = retries;
    }

    public DeliveryRetryException() : this([]) { }

    public DeliveryRetryException(string message) : base(message) => Retries = [];

    public DeliveryRetryException(string message, Exception inner) : base(message, inner) => Retries = [];

    public IReadOnlyList<EventOutcome> Retries { get; }
}
