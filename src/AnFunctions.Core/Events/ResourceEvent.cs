namespace AnFunctions.Core.Events;

public enum ResourceEventKind
{
    WriteSuccess,
    WriteFailure,
    WriteCancel,
    DeleteSuccess,

    /// <summary>Any other event type (action events, validation events...): ignored with a debug line.</summary>
    Other,
}

public enum EventSchema
{
    EventGrid,
    CloudEvents,
}

/// <summary>
/// An Azure Resource Manager event (Event Grid or CloudEvents schema), reduced to what the app uses. Routing is on
/// <see cref="Kind"/> (from the event type), never on <c>data.status</c>.
/// </summary>
public sealed record ResourceEvent
{
    public required string Id { get; init; }
    public required string EventType { get; init; }
    public required ResourceEventKind Kind { get; init; }
    public required EventSchema Schema { get; init; }

    /// <summary><c>data.resourceUri</c>, else the subject; not yet validated as a scale set id.</summary>
    public required string ResourceUri { get; init; }

    public string? OperationName { get; init; }
    public string? CorrelationId { get; init; }
    public string? SubscriptionId { get; init; }
    public DateTimeOffset? EventTime { get; init; }
    public string? HttpMethod { get; init; }

    /// <summary>The status ARM reported (for logs only; never used to route).</summary>
    public string? Status { get; init; }
}

/// <summary>An element of a delivery that could not be read as an event: kept with why.</summary>
public sealed record UnreadableEvent(string? EventId, string Reason, string Excerpt);

public sealed record EventParseResult(IReadOnlyList<ResourceEvent> Events, IReadOnlyList<UnreadableEvent> Unreadable);

/// <summary>Port: turns a raw delivery (one event or an array; Event Grid or CloudEvents schema) into events.</summary>
public interface IEventPayloadParser
{
    /// <summary>Never throws for bad input: what cannot be read is returned in <see cref="EventParseResult.Unreadable"/>.</summary>
    EventParseResult Parse(string payload);
}
