using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Tests;

/// <summary>
/// An <see cref="IStateStore"/> that hands every call to <paramref name="inner"/>: a test's store overrides only the
/// calls it changes (a race before a save, a crash at one), and a new member of the port is added here once.
/// </summary>
internal abstract class DelegatingStateStore(IStateStore inner) : IStateStore
{
    protected IStateStore Inner => inner;

    public virtual Task<PoolRecord?> GetPoolAsync(ScaleSetId id, CancellationToken cancellationToken) => inner.GetPoolAsync(id, cancellationToken);

    public virtual Task<PoolRecord> SavePoolAsync(PoolRecord record, CancellationToken cancellationToken) => inner.SavePoolAsync(record, cancellationToken);

    public virtual Task<PoolRecord> SavePoolAsync(PoolWrite write, CancellationToken cancellationToken) => inner.SavePoolAsync(write, cancellationToken);

    public virtual Task<IReadOnlyList<PoolSaveResult>> SavePoolsAsync(IReadOnlyList<PoolWrite> writes, CancellationToken cancellationToken) => inner.SavePoolsAsync(writes, cancellationToken);

    public virtual IAsyncEnumerable<PoolRecord> ListPoolsAsync(string? subscriptionId, CancellationToken cancellationToken) => inner.ListPoolsAsync(subscriptionId, cancellationToken);

    public virtual Task<ProcessedEvent?> GetProcessedEventAsync(ScaleSetId pool, string eventId, CancellationToken cancellationToken) => inner.GetProcessedEventAsync(pool, eventId, cancellationToken);

    public virtual Task MarkEventProcessedAsync(ProcessedEvent processed, CancellationToken cancellationToken) => inner.MarkEventProcessedAsync(processed, cancellationToken);

    public virtual Task AppendDecisionAsync(DecisionRecord decision, CancellationToken cancellationToken) => inner.AppendDecisionAsync(decision, cancellationToken);

    public virtual Task AppendDecisionsAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken cancellationToken) => inner.AppendDecisionsAsync(decisions, cancellationToken);

    public virtual Task<IReadOnlyList<DecisionRecord>> GetDecisionsAsync(ScaleSetId id, int max, CancellationToken cancellationToken) => inner.GetDecisionsAsync(id, max, cancellationToken);

    public virtual Task AddRejectedEventAsync(RejectedEvent rejected, CancellationToken cancellationToken) => inner.AddRejectedEventAsync(rejected, cancellationToken);

    public virtual IAsyncEnumerable<RejectedEvent> ListRejectedEventsAsync(CancellationToken cancellationToken) => inner.ListRejectedEventsAsync(cancellationToken);
}
