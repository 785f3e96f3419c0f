using AnFunctions.Core.Retention;
using AnFunctions.Core.State;
using AnFunctions.InMemory.Retention;

namespace AnFunctions.InMemory.State;

public sealed partial class InMemoryStateStore : IPrunableStore
{
    public Task<IReadOnlyList<PrunedRows>> PruneAsync(RetentionCutoffs cutoffs, PruneLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(limits);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var (events, moreEvents) = InMemoryPruning.Select(_events.Select(e => (e.Key, e.Value.ProcessedAt)), cutoffs.ProcessedEvents, limits);
            events.ForEach(id => _events.Remove(id));

            var (decisions, moreDecisions) = InMemoryPruning.Select(
                _decisions.SelectMany(p => p.Value.Select(d => ((p.Key, d.Sequence), d.Decision.At))), cutoffs.Decisions, limits);
            foreach (var (pool, sequence) in decisions)
            {
                var list = _decisions[pool];
                list.RemoveAll(d => d.Sequence == sequence);
                if (list.Count == 0)
                {
                    _decisions.Remove(pool);
                }
            }

            var (rejected, moreRejected) = InMemoryPruning.Select(_rejected.Select(r => (r, r.RejectedAt)), cutoffs.RejectedEvents, limits);
            var drop = rejected.ToHashSet(ReferenceEqualityComparer.Instance);
            _rejected.RemoveAll(drop.Contains);

            // The records of pools deleted before the cutoff (a pool that exists, or has no DeletedAt, is kept).
            var (deletedPools, moreDeletedPools) = InMemoryPruning.Select(
                _pools.Where(p => p.Value is { Status: PoolStatus.Deleted, DeletedAt: not null }).Select(p => (p.Key, p.Value.DeletedAt!.Value)), cutoffs.DeletedPools, limits);
            deletedPools.ForEach(key => _pools.Remove(key));

            IReadOnlyList<PrunedRows> result =
            [
                new(RetentionTable.ProcessedEvents, events.Count, moreEvents),
                new(RetentionTable.Decisions, decisions.Count, moreDecisions),
                new(RetentionTable.RejectedEvents, rejected.Count, moreRejected),
                new(RetentionTable.DeletedPools, deletedPools.Count, moreDeletedPools),
            ];
            return Task.FromResult(result);
        }
    }
}
