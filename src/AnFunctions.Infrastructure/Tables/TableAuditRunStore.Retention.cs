using AnFunctions.Core.Retention;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>Pruning of audit run records (by <c>Started</c>).</summary>
public sealed partial class TableAuditRunStore : IPrunableStore
{
    public async Task<IReadOnlyList<PrunedRows>> PruneAsync(RetentionCutoffs cutoffs, PruneLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(limits);
        return [await TableStateStore.PruneByDateAsync(_table, RetentionTable.AuditRuns, "Started", cutoffs.AuditRuns, limits, cancellationToken).ConfigureAwait(false)];
    }
}
