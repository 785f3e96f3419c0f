using AnFunctions.Core.Findings;
using AnFunctions.Core.Retention;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Pruning of resolved findings (by <c>ResolvedAt</c>) and delivered outbox entries (by <c>DeliveredAt</c>). It depends
/// on the key layout only through the row-key kinds: finding rows start with <c>finding</c> and outbox rows with
/// <c>outbox</c> (true of <c>finding~{kind}</c> / <c>outbox~{id}</c> and of <c>finding|{pool}|{kind}</c> /
/// <c>outbox|{pool}|{id}</c>); partitions are whatever the rows hold. The <c>Status</c> column decides, on the service
/// and again here: an open finding, and a pending or failed entry, are never deleted; nor is a row changed since it
/// was read (deletes are conditional on its ETag).
/// </summary>
public sealed partial class TableFindingStore : IPrunableStore
{
    /// <summary>Every finding row's key starts with this, whatever the layout.</summary>
    internal const string FindingRowKind = "finding";

    /// <summary>Every outbox row's key starts with this, whatever the layout.</summary>
    internal const string OutboxRowKind = "outbox";

    public async Task<IReadOnlyList<PrunedRows>> PruneAsync(RetentionCutoffs cutoffs, PruneLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(limits);
        return
        [
            await PruneRowsAsync(RetentionTable.ResolvedFindings, FindingRowKind, nameof(FindingStatus.Resolved), "ResolvedAt", cutoffs.ResolvedFindings, limits, cancellationToken).ConfigureAwait(false),
            await PruneRowsAsync(RetentionTable.DeliveredAlerts, OutboxRowKind, nameof(OutboxStatus.Delivered), "DeliveredAt", cutoffs.DeliveredAlerts, limits, cancellationToken).ConfigureAwait(false),
        ];
    }

    private Task<PrunedRows> PruneRowsAsync(
        RetentionTable kind, string rowKind, string status, string column, DateTimeOffset cutoff, PruneLimits limits, CancellationToken cancellationToken)
    {
        // The column names are constants; the values are quoted by CreateQueryFilter.
        var filter = $"({TableKeys.RowKeyPrefixFilter(rowKind)}) and ({TableClient.CreateQueryFilter($"Status eq {status}")}) and "
            + $"{column} lt {TableClient.CreateQueryFilter($"{cutoff.ToUniversalTime()}")}";
        return _table.PruneAsync(
            kind,
            filter,
            ["Status", column],
            e => e.RowKey.StartsWith(rowKind, StringComparison.Ordinal)
                && string.Equals(e.GetString("Status"), status, StringComparison.Ordinal)
                && e.GetDateTimeOffset(column) is { } at && at < cutoff,
            limits,
            cancellationToken);
    }
}
