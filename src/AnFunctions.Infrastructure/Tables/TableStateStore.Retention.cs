using AnFunctions.Core.Retention;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>Pruning of processed events (by <c>ProcessedAt</c>), decisions (by <c>At</c>) and rejected events (by <c>RejectedAt</c>).</summary>
public sealed partial class TableStateStore : IPrunableStore
{
    public async Task<IReadOnlyList<PrunedRows>> PruneAsync(RetentionCutoffs cutoffs, PruneLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(limits);
        return
        [
            await PruneByDateAsync(_events, RetentionTable.ProcessedEvents, "ProcessedAt", cutoffs.ProcessedEvents, limits, cancellationToken).ConfigureAwait(false),
            await PruneByDateAsync(_decisions, RetentionTable.Decisions, "At", cutoffs.Decisions, limits, cancellationToken).ConfigureAwait(false),
            await PruneByDateAsync(_rejected, RetentionTable.RejectedEvents, "RejectedAt", cutoffs.RejectedEvents, limits, cancellationToken).ConfigureAwait(false),
        ];
    }

    /// <summary>Deletes the rows whose date column is before <paramref name="cutoff"/> (a row without it is kept).</summary>
    internal static Task<PrunedRows> PruneByDateAsync(
        LazyTable table, RetentionTable kind, string column, DateTimeOffset cutoff, PruneLimits limits, CancellationToken cancellationToken) =>
        table.PruneAsync(
            kind,
            $"{column} lt {TableClient.CreateQueryFilter($"{cutoff.ToUniversalTime()}")}",
            [column],
            e => e.GetDateTimeOffset(column) is { } at && at < cutoff,
            limits,
            cancellationToken);
}
