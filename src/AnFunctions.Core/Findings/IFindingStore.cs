using AnFunctions.Core.Alerts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Findings;

public enum OutboxStatus
{
    /// <summary>Not delivered yet; due at <see cref="OutboxEntry.NextAttemptAt"/>.</summary>
    Pending,

    /// <summary>The sink accepted it.</summary>
    Delivered,

    /// <summary>The sink refused it for good (a 4xx other than 408/429): kept, logged, never retried.</summary>
    Failed,
}

/// <summary>One notification for one sink, stored in the same step as the finding change that caused it.</summary>
public sealed record OutboxEntry
{
    /// <summary>Unique; sortable by creation (<c>{ticks:D19}-{sequence:D12}-{sink}-{guid}</c>): two entries made in the
    /// same tick (a trigger and its resolve, on a coarse or fake clock) still sort in the order they were made.</summary>
    public required string Id { get; init; }
    public required string Sink { get; init; }
    public required AlertNotification Notification { get; init; }
    public required OutboxStatus Status { get; init; }
    public int Attempts { get; init; }
    public required DateTimeOffset NextAttemptAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public string? LastError { get; init; }

    /// <summary>The store's concurrency token; null before the first save.</summary>
    public string? Version { get; init; }

    public static string NewId(DateTimeOffset at, string sink) =>
        $"{at.UtcTicks:D19}-{Interlocked.Increment(ref _sequence):D12}-{sink}-{Guid.NewGuid():N}";

    private static long _sequence;
}

/// <summary>Filters for listing findings; null means any.</summary>
public sealed record FindingQuery(
    FindingStatus? Status = null,
    FindingSeverity? MinimumSeverity = null,
    string? SubscriptionId = null,
    FindingKind? Kind = null,
    ScaleSetId? PoolId = null);

/// <summary>One save of <see cref="IFindingStore.SaveManyAsync"/>: a finding and the outbox entries its change produced.</summary>
public sealed record FindingSave(Finding Finding, IReadOnlyList<OutboxEntry> Outbox);

/// <summary>What became of one save: the finding as saved (with its new Version), or the conflict that refused it.</summary>
public sealed record FindingSaveResult(FindingSave Save, Finding? Saved, ConcurrencyConflictException? Conflict);

/// <summary>
/// Port for findings and the alert outbox. Two implementations pass one contract suite: Table Storage and in-memory.
/// A finding and the outbox entries its change produced are saved in ONE atomic step, so an alert is never lost
/// between "the finding changed" and "on-call must hear about it".
/// </summary>
public interface IFindingStore
{
    Task<Finding?> GetAsync(string findingId, CancellationToken cancellationToken);

    /// <summary>Every finding of one pool, open and resolved.</summary>
    Task<IReadOnlyList<Finding>> ListForPoolAsync(ScaleSetId poolId, CancellationToken cancellationToken);

    /// <summary>Findings matching the query, ordered by id (stable, for paging).</summary>
    IAsyncEnumerable<Finding> ListAsync(FindingQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts (Version null) or replaces (Version = the stored one) the finding and inserts the outbox entries, all or
    /// nothing. Returns the finding with its new Version. A stale Version, or an insert of an existing id, throws
    /// <see cref="ConcurrencyConflictException"/> and saves nothing.
    /// </summary>
    Task<Finding> SaveAsync(Finding finding, IReadOnlyList<OutboxEntry> outbox, CancellationToken cancellationToken);

    /// <summary>
    /// Many saves at once, each exactly as <see cref="SaveAsync"/> (the finding and its entries all or nothing,
    /// conditional on the Version), independent of one another: a conflict refuses its own save only and is reported
    /// in its result, in the order given. The Table store writes the saves of a subscription in entity-group
    /// transactions of up to 100 entities. Other failures throw; saves reported before were written, others may be.
    /// </summary>
    Task<IReadOnlyList<FindingSaveResult>> SaveManyAsync(IReadOnlyList<FindingSave> saves, CancellationToken cancellationToken);

    /// <summary>Pending outbox entries due at or before <paramref name="now"/>, oldest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<OutboxEntry>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>Every outbox entry (any status) of one finding, oldest first.</summary>
    Task<IReadOnlyList<OutboxEntry>> ListOutboxAsync(string findingId, CancellationToken cancellationToken);

    /// <summary>Replaces an outbox entry conditionally on its Version (two dispatchers never both claim it).</summary>
    Task<OutboxEntry> UpdateOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken);
}
