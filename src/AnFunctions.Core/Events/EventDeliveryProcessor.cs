using AnFunctions.Core.Arm;
using AnFunctions.Core.Logging;
using AnFunctions.Core.State;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Core.Events;

/// <summary>
/// Takes one Event Grid delivery as received (one event or a batch, either schema), handles every event, keeps what
/// cannot be read, and fails the delivery only when some event must be redelivered.
/// </summary>
public sealed class EventDeliveryProcessor(
    IEventPayloadParser parser,
    ScaleSetEventHandler handler,
    IStateStore store,
    TimeProvider time,
    ILogger<EventDeliveryProcessor> logger,
    Telemetry.AnMetrics metrics)
{
    /// <summary>Handles the delivery; throws <see cref="DeliveryRetryException"/> when some events must come again.</summary>
    public async Task<DeliveryResult> ProcessAsync(string payload, CancellationToken cancellationToken)
    {
        var result = await ProcessWithoutThrowingAsync(payload, cancellationToken).ConfigureAwait(false);
        if (result.HasRetries)
        {
            throw new DeliveryRetryException(result.Outcomes.Where(o => o.Disposition == EventDisposition.RetryLater).ToList());
        }

        return result;
    }

    /// <summary>Handles the delivery and reports every outcome, retries included, without throwing for them.</summary>
    public async Task<DeliveryResult> ProcessWithoutThrowingAsync(string payload, CancellationToken cancellationToken)
    {
        // Event Grid waits 30 s for the answer: the delivery's ARM calls (tries, waits before retries, the wait for a
        // write's outcome) stay within ArmBudget.DeliveryLimit; what does not fit is redelivered.
        using var budget = ArmBudget.Begin(time, ArmBudget.DeliveryLimit);
        var parsed = parser.Parse(payload);
        Log.DeliveryReceived(logger, parsed.Events.Count, parsed.Unreadable.Count);
        var outcomes = new List<EventOutcome>(parsed.Events.Count + parsed.Unreadable.Count);

        foreach (var unreadable in parsed.Unreadable)
        {
            var eventId = unreadable.EventId ?? "(no id)";
            Log.EventRejected(logger, eventId, unreadable.Reason);
            await store.AddRejectedEventAsync(new RejectedEvent(eventId, unreadable.Reason, unreadable.Excerpt, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            outcomes.Add(new EventOutcome(eventId, EventDisposition.Rejected, unreadable.Reason));
        }

        foreach (var resourceEvent in parsed.Events)
        {
            outcomes.Add(await handler.HandleAsync(resourceEvent, cancellationToken).ConfigureAwait(false));
        }

        foreach (var outcome in outcomes)
        {
            metrics.EventHandled(outcome.Disposition);
        }

        return new DeliveryResult(outcomes);
    }
}
