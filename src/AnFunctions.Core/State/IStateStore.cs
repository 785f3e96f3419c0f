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
    /// Many saves at once, each exactly as <see cref="SavePoolAsync"/> (conditional on its Version) and independent of
    /// the others: a conflict refuses its own record only and is reported in its result, in the order given. The Table
    /// store writes a subscription's records in entity-group transactions of up to 100. Other failures throw; records
    /// reported before were written, others may be.
    /// </summary>
    Task<IReadOnlyList<PoolSaveResult>> SavePoolsAsync(IReadOnlyList<PoolRecord> records, CancellationToken cancellationToken);

    /// <summary>Every pool record, of one subscription when given.</summary>
    IAsyncEnumerable<PoolRecord> ListPoolsAsync(string? subscriptionId, CancellationToken cancellationToken);

    Task<ProcessedEvent?> GetProcessedEventAsync(string eventId, CancellationToken cancellationToken);

    /// <summary>Records that an event was handled; idempotent (a second call for the same id keeps the first).</summary>
    Task MarkEventProcessedAsync(ProcessedEvent processed, CancellationToken cancellationToken);

    Task AppendDecisionAsync(DecisionRecord decision, CancellationToken cancellationToken);

    /// <summary>The newest decisions for a pool, newest first.</summary>
    Task<IReadOnlyList<DecisionRecord>> GetDecisionsAsync(ScaleSetId id, int max, CancellationToken cancellationToken);

    /// <summary>Keeps an event that was refused for good, with the reason.</summary>
    Task AddRejectedEventAsync(RejectedEvent rejected, CancellationToken cancellationToken);

    IAsyncEnumerable<RejectedEvent> ListRejectedEventsAsync(CancellationToken cancellationToken);
}

/// <summary>What became of one record of <see cref="IStateStore.SavePoolsAsync"/>: as saved (with its new Version), or the conflict that refused it.</summary>
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
