using AnFunctions.Core.Arm;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Logging;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Core.Events;

/// <summary>
/// Handles one Azure Resource Manager event about a scale set: routes on the event type (never on
/// <c>data.status</c>), skips duplicates before any ARM call, and classifies failures as transient (redeliver) or
/// terminal (record and acknowledge).
/// </summary>
public sealed class ScaleSetEventHandler(
    PoolReconciler reconciler,
    RefusedWriteHandler refusedWrites,
    FindingEngine findings,
    IStateStore store,
    TimeProvider time,
    ILogger<ScaleSetEventHandler> logger)
{
    public const string WriteOperation = "Microsoft.Compute/virtualMachineScaleSets/write";
    public const string DeleteOperation = "Microsoft.Compute/virtualMachineScaleSets/delete";

    /// <summary>Handles the event; the outcome says what it cost (ARM calls and Table round trips), logged as <c>EventCompleted</c>.</summary>
    public async Task<EventOutcome> HandleAsync(ResourceEvent resourceEvent, CancellationToken cancellationToken)
    {
        using var arm = ArmCallMeter.Begin();
        using var tables = TableCallMeter.Begin();
        var outcome = await HandleUnmeteredAsync(resourceEvent, cancellationToken).ConfigureAwait(false);
        outcome = outcome with { ArmCalls = arm.Total, TableCalls = tables.Total };
        Log.EventCompleted(logger, outcome.EventId, outcome.Disposition, outcome.ArmCalls, outcome.TableCalls);
        return outcome;
    }

    private async Task<EventOutcome> HandleUnmeteredAsync(ResourceEvent resourceEvent, CancellationToken cancellationToken)
    {
        if (resourceEvent.Kind == ResourceEventKind.Other)
        {
            return Ignore(resourceEvent, $"event type {resourceEvent.EventType} is not handled");
        }

        var expected = resourceEvent.Kind == ResourceEventKind.DeleteSuccess ? DeleteOperation : WriteOperation;
        if (resourceEvent.OperationName is { } operation && !operation.Equals(expected, StringComparison.OrdinalIgnoreCase))
        {
            return Ignore(resourceEvent, $"operation is not {expected}");
        }

        if (!ScaleSetId.TryParse(resourceEvent.ResourceUri, out var id, out var error))
        {
            if (resourceEvent.OperationName is null)
            {
                return Ignore(resourceEvent, "no operation name and the resource is not a scale set");
            }

            return await RejectAsync(resourceEvent, $"resource id does not parse as a scale set id: {error}", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var processed = await store.GetProcessedEventAsync(id, resourceEvent.Id, cancellationToken).ConfigureAwait(false);
            if (processed is not null)
            {
                Log.DuplicateEventSkipped(logger, resourceEvent.Id, processed.ProcessedAt, processed.Outcome);
                return new EventOutcome(resourceEvent.Id, EventDisposition.Duplicate, $"already processed ({processed.Outcome})", id.Value);
            }

            var (outcome, marked) = resourceEvent.Kind switch
            {
                ResourceEventKind.WriteSuccess => await HandleWriteSuccessAsync(resourceEvent, id, cancellationToken).ConfigureAwait(false),
                ResourceEventKind.DeleteSuccess => (await HandleDeleteAsync(resourceEvent, id, cancellationToken).ConfigureAwait(false), false),
                ResourceEventKind.WriteFailure or ResourceEventKind.WriteCancel => (await HandleRefusedAsync(resourceEvent, id, cancellationToken).ConfigureAwait(false), false),
                _ => (Recorded(resourceEvent, id), false),
            };

            if (outcome.Disposition != EventDisposition.RetryLater && !marked)
            {
                await MarkProcessedAsync(resourceEvent, outcome, cancellationToken).ConfigureAwait(false);
            }

            return outcome;
        }
        catch (ArmRequestException e) when (!e.IsTransient && !e.IsPreconditionFailed)
        {
            return await RejectAsync(resourceEvent, $"ARM refused a call with HTTP {e.Status} {e.ErrorCode}: {e.Message}", cancellationToken, id).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArmRequestException or StateStoreUnavailableException or ConcurrencyConflictException)
        {
            Log.EventTransientFailure(logger, resourceEvent.Id, id.Value, e.Message);
            return new EventOutcome(resourceEvent.Id, EventDisposition.RetryLater, e.Message, id.Value);
        }
    }

    /// <summary>The reconcile marks the event handled with the pool's record when it ends with one (one write less); otherwise the caller marks it.</summary>
    private async Task<(EventOutcome Outcome, bool Marked)> HandleWriteSuccessAsync(ResourceEvent resourceEvent, ScaleSetId id, CancellationToken cancellationToken)
    {
        var mark = Mark(resourceEvent, EventDisposition.Handled);
        var result = await reconciler.ReconcileAsync(new ReconcileRequest(id, ReconcileTrigger.Event, resourceEvent.Id, Processed: mark), cancellationToken).ConfigureAwait(false);
        var detail = $"{result.Decision.Outcome} ({result.Decision.Reason}): {result.Decision.Explanation}";
        return result.IsRetry
            ? (new EventOutcome(resourceEvent.Id, EventDisposition.RetryLater, detail, id.Value), false)
            : (new EventOutcome(resourceEvent.Id, EventDisposition.Handled, detail, id.Value), result.EventMarked);
    }

    private async Task<EventOutcome> HandleDeleteAsync(ResourceEvent resourceEvent, ScaleSetId id, CancellationToken cancellationToken)
    {
        var record = await store.GetPoolAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is { Status: PoolStatus.Active })
        {
            var now = time.GetUtcNow();
            await store.SavePoolAsync(record with { Status = PoolStatus.Deleted, DeletedAt = now, LastSeen = now }, cancellationToken).ConfigureAwait(false);
            Log.PoolClosed(logger, id.Value);
        }

        var resolved = await findings.ResolveAllAsync(id, cancellationToken).ConfigureAwait(false);
        Log.EventRecorded(logger, resourceEvent.Id, resourceEvent.Kind.ToString(), id.Value);
        return new EventOutcome(resourceEvent.Id, EventDisposition.Recorded, $"pool deleted: record closed, {resolved.Resolved.Count} finding(s) resolved", id.Value);
    }

    private async Task<EventOutcome> HandleRefusedAsync(ResourceEvent resourceEvent, ScaleSetId id, CancellationToken cancellationToken)
    {
        var verb = resourceEvent.Kind == ResourceEventKind.WriteCancel ? "cancelled" : "refused";
        var detail = await refusedWrites.HandleAsync(id, resourceEvent.Id, verb, resourceEvent.CorrelationId, resourceEvent.EventTime, cancellationToken).ConfigureAwait(false);
        Log.EventRecorded(logger, resourceEvent.Id, resourceEvent.Kind.ToString(), id.Value);
        return new EventOutcome(resourceEvent.Id, EventDisposition.Recorded, detail, id.Value);
    }

    private EventOutcome Recorded(ResourceEvent resourceEvent, ScaleSetId id)
    {
        Log.EventRecorded(logger, resourceEvent.Id, resourceEvent.Kind.ToString(), id.Value);
        return new EventOutcome(resourceEvent.Id, EventDisposition.Recorded, $"{resourceEvent.Kind} recorded", id.Value);
    }

    private EventOutcome Ignore(ResourceEvent resourceEvent, string reason)
    {
        Log.EventIgnored(logger, resourceEvent.Id, resourceEvent.EventType, resourceEvent.OperationName, reason);
        return new EventOutcome(resourceEvent.Id, EventDisposition.Ignored, reason);
    }

    private async Task<EventOutcome> RejectAsync(ResourceEvent resourceEvent, string reason, CancellationToken cancellationToken, ScaleSetId? id = null)
    {
        Log.EventRejected(logger, resourceEvent.Id, reason);
        await store.AddRejectedEventAsync(
            new RejectedEvent(resourceEvent.Id, reason, Excerpt(resourceEvent), time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        var outcome = new EventOutcome(resourceEvent.Id, EventDisposition.Rejected, reason, id?.Value);
        await MarkProcessedAsync(resourceEvent, outcome, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    private Task MarkProcessedAsync(ResourceEvent resourceEvent, EventOutcome outcome, CancellationToken cancellationToken) =>
        store.MarkEventProcessedAsync(Mark(resourceEvent, outcome.Disposition), cancellationToken);

    private ProcessedEvent Mark(ResourceEvent resourceEvent, EventDisposition disposition) =>
        new(resourceEvent.Id, resourceEvent.EventType, resourceEvent.ResourceUri, time.GetUtcNow(), disposition.ToString());

    private static string Excerpt(ResourceEvent e) =>
        $"type={e.EventType}; operation={e.OperationName}; resource={Truncate(e.ResourceUri)}; correlationId={e.CorrelationId}";

    private static string Truncate(string value) => value.Length <= 512 ? value : value[..512] + "…";
}
