using AnFunctions.Core.Audit;
using AnFunctions.Core.Retention;
using AnFunctions.InMemory.Retention;

namespace AnFunctions.InMemory.Audit;

public sealed partial class InMemoryAuditRunStore : IPrunableStore
{
    /// <summary>Deletes audit runs by <c>Started</c>.</summary>
    public Task<IReadOnlyList<PrunedRows>> PruneAsync(RetentionCutoffs cutoffs, PruneLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(limits);
        cancellationToken.ThrowIfCancellationRequested();
        var (runs, more) = InMemoryPruning.Select(_runs.Values.Select(r => (r.RunId, r.Started)), cutoffs.AuditRuns, limits);
        var deleted = runs.Count(id => _runs.TryRemove(id, out _));
        IReadOnlyList<PrunedRows> result = [new(RetentionTable.AuditRuns, deleted, more)];
        return Task.FromResult(result);
    }
}
