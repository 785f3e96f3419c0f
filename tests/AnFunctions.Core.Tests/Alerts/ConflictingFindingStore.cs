using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.InMemory.Findings;

namespace AnFunctions.Core.Tests.Alerts;

/// <summary>
/// The in-memory finding store, except that its next <see cref="ConflictsLeft"/> saves are refused as conflicts (as
/// when another instance saved the finding first), and it counts the reads of a pool's findings and the saves tried.
/// </summary>
internal sealed class ConflictingFindingStore : IFindingStore
{
    public InMemoryFindingStore Inner { get; } = new();

    public int ConflictsLeft { get; set; }

    /// <summary>The next updates of outbox entries refused as conflicts (another instance claimed the entry first).</summary>
    public int OutboxConflictsLeft { get; set; }

    public int PoolReads { get; private set; }

    public int SavesTried { get; private set; }

    public Task<Finding?> GetAsync(string findingId, CancellationToken cancellationToken) => Inner.GetAsync(findingId, cancellationToken);

    public Task<IReadOnlyList<Finding>> ListForPoolAsync(ScaleSetId poolId, CancellationToken cancellationToken)
    {
        PoolReads++;
        return Inner.ListForPoolAsync(poolId, cancellationToken);
    }

    public IAsyncEnumerable<Finding> ListAsync(FindingQuery query, CancellationToken cancellationToken) => Inner.ListAsync(query, cancellationToken);

    public Task<Finding> SaveAsync(Finding finding, IReadOnlyList<OutboxEntry> outbox, CancellationToken cancellationToken)
    {
        SavesTried++;
        if (ConflictsLeft > 0)
        {
            ConflictsLeft--;
            throw new ConcurrencyConflictException();
        }

        return Inner.SaveAsync(finding, outbox, cancellationToken);
    }

    public Task<IReadOnlyList<FindingSaveResult>> SaveManyAsync(IReadOnlyList<FindingSave> saves, CancellationToken cancellationToken) =>
        Inner.SaveManyAsync(saves, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        Inner.ListDueAsync(now, max, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> ListOutboxAsync(string findingId, CancellationToken cancellationToken) =>
        Inner.ListOutboxAsync(findingId, cancellationToken);

    public Task<OutboxEntry> UpdateOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        if (OutboxConflictsLeft > 0)
        {
            OutboxConflictsLeft--;
            throw new ConcurrencyConflictException();
        }

        return Inner.UpdateOutboxAsync(entry, cancellationToken);
    }
}
