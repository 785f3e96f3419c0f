using AnFunctions.Core.Retention;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Pruning of processed events (by <c>ProcessedAt</c>), decisions (by <c>At</c>) and rejected events (by
/// <c>RejectedAt</c>). Marks and decisions live in the pools table (rows by prefix) and, from before they moved there, in
/// the events and decisions tables: both places are pruned, each within the page limits.
/// </summary>
public sealed partial class TableStateStore : IPrunableStore
{
    public async Task<IReadOnlyList<PrunedRows>> PruneAsync(RetentionCutoffs cutoffs, PruneLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(limits);
        return
        [
            Sum(
                await PruneByDateAsync(_pools, RetentionTable.ProcessedEvents, "ProcessedAt", cutoffs.ProcessedEvents, limits, cancellationToken, TableKeys.ProcessedRowPrefix).ConfigureAwait(false),
                await PruneByDateAsync(_events, RetentionTable.ProcessedEvents, "ProcessedAt", cutoffs.ProcessedEvents, limits, cancellationToken).ConfigureAwait(false)),
            Sum(
                await PruneByDateAsync(_pools, RetentionTable.Decisions, "At", cutoffs.Decisions, limits, cancellationToken, TableKeys.PoolDecisionRowPrefix).ConfigureAwait(false),
                await PruneByDateAsync(_decisions, RetentionTable.Decisions, "At", cutoffs.Decisions, limits, cancellationToken).ConfigureAwait(false)),
            await PruneByDateAsync(_rejected, RetentionTable.RejectedEvents, "RejectedAt", cutoffs.RejectedEvents, limits, cancellationToken).ConfigureAwait(false),
            await PruneDeletedPoolsAsync(cutoffs.DeletedPools, limits, cancellationToken).ConfigureAwait(false),
        ];
    }

    /// <summary>The records of pools deleted before the cutoff (pool rows only: <c>Status</c> Deleted and <c>DeletedAt</c>).</summary>
    private Task<PrunedRows> PruneDeletedPoolsAsync(DateTimeOffset cutoff, PruneLimits limits, CancellationToken cancellationToken)
    {
        var deleted = nameof(Core.State.PoolStatus.Deleted);
        return _pools.PruneAsync(
            RetentionTable.DeletedPools,
            TableClient.CreateQueryFilter($"RowKey ge {TableKeys.PoolRowsFrom} and Status eq {deleted} and DeletedAt lt {cutoff.ToUniversalTime()}"),
            ["Status", "DeletedAt"],
            e => e.GetString("Status") == deleted && e.GetDateTimeOffset("DeletedAt") is { } at && at < cutoff,
            limits,
            cancellationToken);
    }

    private static PrunedRows Sum(PrunedRows first, PrunedRows second) => new(first.Table, first.Deleted + second.Deleted, first.More || second.More);

    /// <summary>
    /// Deletes the rows whose date column is before <paramref name="cutoff"/> (a row without it is kept), of the rows
    /// whose key starts with <paramref name="rowPrefix"/> when given.
    /// </summary>
    internal static Task<PrunedRows> PruneByDateAsync(
        LazyTable table, RetentionTable kind, string column, DateTimeOffset cutoff, PruneLimits limits, CancellationToken cancellationToken, string? rowPrefix = null) =>
        table.PruneAsync(
            kind,
            (rowPrefix is null ? "" : TableKeys.RowKeyPrefixFilter(rowPrefix) + " and ") + $"{column} lt {TableClient.CreateQueryFilter($"{cutoff.ToUniversalTime()}")}",
            [column],
            e => e.GetDateTimeOffset(column) is { } at && at < cutoff,
            limits,
            cancellationToken);
}
