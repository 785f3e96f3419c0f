using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.State;

/// <summary>
/// Port for the app's state. Two implementations pass one contract suite: Table Storage and in-memory.
/// Writes of pool records are conditional on <see cref="PoolRecord.Version"/> (optimistic concurrency).
/// </summary>
public interface IStateStore
{
    Task<PoolRecord?> GetPoolAsync(ScaleSetId id, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts (Version null) or replaces (Version = the stored one) a pool record and returns it with its new Version.
    /// Throws <see cref="ConcurrencyConflictException"/> when the record was inserted or changed by someone else.
    /// </summary>
    Task<PoolRecord> SavePoolAsync(PoolRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Saves the record as <see cref="SavePoolAsync(PoolRecord, CancellationToken)"/> together with what goes with it
    /// (<see cref="PoolWrite"/>): all of it or none. The record's condition decides: a conflict throws
    /// <see cref="ConcurrencyConflictException"/> and nothing is written; an event already marked handled keeps its
    /// first mark and does not refuse the save.
    /// </summary>
    Task<PoolRecord> SavePoolAsync(PoolWrite write, CancellationToken cancellationToken);

    /// <summary>
    /// Many saves at once, each exactly as <see cref="SavePoolAsync(PoolWrite, CancellationToken)"/> (conditional on
    /// its record's Version, with its decision) and independent of the others: a conflict refuses its own write only
    /// and is reported in its result, in the order given. The Table store writes a subscription's records and their
    /// decisions in entity-group transactions of up to 100 rows. Other failures throw; writes reported before were
    /// made, others may be.
    /// </summary>
    Task<IReadOnlyList<PoolSaveResult>> SavePoolsAsync(IReadOnlyList<PoolWrite> writes, CancellationToken cancellationToken);

    /// <summary>Every pool record, of one subscription when given.</summary>
    IAsyncEnumerable<PoolRecord> ListPoolsAsync(string? subscriptionId, CancellationToken cancellationToken);

    /// <summary>The mark that an event about <paramref name="pool"/> was handled, or null.</summary>
    Task<ProcessedEvent?> GetProcessedEventAsync(ScaleSetId pool, string eventId, CancellationToken cancellationToken);

    /// <summary>
    /// Records that an event was handled; idempotent (a second call for the same id keeps the first). The mark is kept
    /// with the pool its <see cref="ProcessedEvent.Subject"/> names and is found with that pool's id; a subject that
    /// names no scale set is kept apart (and is never looked up: such an event is refused before).
    /// </summary>
    Task MarkEventProcessedAsync(ProcessedEvent processed, CancellationToken cancellationToken);

    Task AppendDecisionAsync(DecisionRecord decision, CancellationToken cancellationToken);

    /// <summary>Many decisions at once (the Table store writes a subscription's in entity-group transactions of up to 100).</summary>
    Task AppendDecisionsAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken cancellationToken);

    /// <summary>The newest decisions for a pool, newest first.</summary>
    Task<IReadOnlyList<DecisionRecord>> GetDecisionsAsync(ScaleSetId id, int max, CancellationToken cancellationToken);

    /// <summary>Keeps an event that was refused for good, with the reason.</summary>
    Task AddRejectedEventAsync(RejectedEvent rejected, CancellationToken cancellationToken);

    IAsyncEnumerable<RejectedEvent> ListRejectedEventsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A pool record to save and what is saved with it, all or nothing: the decision that led to it, and, when an event
/// led to it, the mark that the event was handled (so a redelivery is recognised exactly when the record says what the
/// event did). Both must be about the record's pool.
/// </summary>
public sealed record PoolWrite
{
    public PoolWrite(PoolRecord record, DecisionRecord? decision = null, ProcessedEvent? processed = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (decision is not null && !decision.PoolId.Equals(record.Id))
        {
            throw new ArgumentException($"the decision is about {decision.PoolId}, not about the record's pool {record.Id}", nameof(decision));
        }

        if (processed is not null && !(ScaleSetId.TryParse(processed.Subject, out var subject, out _) && subject.Equals(record.Id)))
        {
            throw new ArgumentException($"the event {processed.EventId} is about '{processed.Subject}', not about the record's pool {record.Id}", nameof(processed));
        }

        Record = record;
        Decision = decision;
        Processed = processed;
    }

    public PoolRecord Record { get; }

    public DecisionRecord? Decision { get; }

    public ProcessedEvent? Processed { get; }
}

/// <summary>What became of one write of <see cref="IStateStore.SavePoolsAsync"/>: as saved (with its new Version), or the conflict that refused it.</summary>
public sealed record PoolSaveResult(PoolRecord Requested, PoolRecord? Saved, ConcurrencyConflictException? Conflict);

/// <summary>A conditional write lost against a concurrent writer: re-read and decide again.</summary>
public sealed class ConcurrencyConflictException : Exception
{
    public ConcurrencyConflictException() : base("the record was changed by someone else") { }

    public ConcurrencyConflictException(string message) : base(message) { }

    public ConcurrencyConflictException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The store could not be reached or failed in a way that a later attempt may not (transient).</summary>
public sealed class StateStoreUnavailableException : Exception
{
    public StateStoreUnavailableException() : base("the state store is unavailable") { }

    public StateStoreUnavailableException(string message) : base(message) { }

    public StateStoreUnavailableException(string message, Exception inner) : base(message, inner) { }
}
