using AnFunctions.Core.Findings;
using AnFunctions.Core.Retention;
using AnFunctions.InMemory.Retention;

namespace AnFunctions.InMemory.Findings;

public sealed partial class InMemoryFindingStore : IPrunableStore
{
    /// <summary>Deletes resolved findings by <c>ResolvedAt</c> and delivered outbox entries by <c>DeliveredAt</c>; never an open finding or an undelivered entry.</summary>
    public Task<IReadOnlyList<PrunedRows>> PruneAsync(RetentionCutoffs cutoffs, PruneLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(limits);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var (findings, moreFindings) = InMemoryPruning.Select(
                _findings.Values.Where(f => f is { Status: FindingStatus.Resolved, ResolvedAt: not null }).Select(f => (f.Id, f.ResolvedAt!.Value)),
                cutoffs.ResolvedFindings, limits);
            findings.ForEach(id => _findings.Remove(id));

            var (entries, moreEntries) = InMemoryPruning.Select(
                _outbox.Where(e => e.Value is { Status: OutboxStatus.Delivered, DeliveredAt: not null }).Select(e => (e.Key, e.Value.DeliveredAt!.Value)),
                cutoffs.DeliveredAlerts, limits);
            entries.ForEach(key => _outbox.Remove(key));

            IReadOnlyList<PrunedRows> result =
            [
                new(RetentionTable.ResolvedFindings, findings.Count, moreFindings),
                new(RetentionTable.DeliveredAlerts, entries.Count, moreEntries),
            ];
            return Task.FromResult(result);
        }
    }
}
