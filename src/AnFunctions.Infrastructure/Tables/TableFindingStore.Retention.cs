using AnFunctions.Core.Findings;
using AnFunctions.Core.Retention;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Pruning of resolved findings (by <c>ResolvedAt</c>) and delivered outbox entries (by <c>DeliveredAt</c>). It depends
/// on the key layout only through the row-key kinds: finding rows start with <c>finding~</c> or <c>finding|</c> and
/// outbox rows with <c>outbox~</c> or <c>outbox|</c> (layout 1: <c>finding~{kind}</c> / <c>outbox~{id}</c>; layout 2:
/// <c>finding|{pool}|{kind}</c> / <c>outbox|{pool}|{id}</c>); partitions are whatever the rows hold, and any other row
/// (a layout marker) is left alone. The <c>Status</c> column decides, on the service
/// and again here: an open finding, and a pending or failed entry, are never deleted; nor is a row changed since it
/// was read (deletes are conditional on its ETag).
/// </summary>
public sealed partial class TableFindingStore : IPrunableStore
{
    /// <summary>Every finding row's key starts with one of these, whatever the layout.</summary>
    internal static readonly IReadOnlyList<string> FindingRowKinds = ["finding~", "finding|"];

    /// <summary>Every outbox row's key starts with one of these, whatever the layout.</summary>
    internal static readonly IReadOnlyList<string> OutboxRowKinds = ["outbox~", "outbox|"];

    public async Task<IReadOnlyList<PrunedRows>> PruneAsync(RetentionCutoffs cutoffs, PruneLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(limits);
        return
        [
            await PruneRowsAsync(RetentionTable.ResolvedFindings, FindingRowKinds, nameof(FindingStatus.Resolved), "ResolvedAt", cutoffs.ResolvedFindings, limits, cancellationToken).ConfigureAwait(false),
            await PruneRowsAsync(RetentionTable.DeliveredAlerts, OutboxRowKinds, nameof(OutboxStatus.Delivered), "DeliveredAt", cutoffs.DeliveredAlerts, limits, cancellationToken).ConfigureAwait(false),
        ];
    }

    private Task<PrunedRows> PruneRowsAsync(
        RetentionTable kind, IReadOnlyList<string> rowKinds, string status, string column, DateTimeOffset cutoff, PruneLimits limits, CancellationToken cancellationToken)
    {
        // The column names are constants; the values are quoted by CreateQueryFilter.
        var rows = string.Join(" or ", rowKinds.Select(k => $"({TableKeys.RowKeyPrefixFilter(k)})"));
        var filter = $"({rows}) and ({TableClient.CreateQueryFilter($"Status eq {status}")}) and "
            + $"{column} lt {TableClient.CreateQueryFilter($"{cutoff.ToUniversalTime()}")}";
        return _table.PruneAsync(
            kind,
            filter,
            ["Status", column],
            e => rowKinds.Any(k => e.RowKey.StartsWith(k, StringComparison.Ordinal))
                && string.Equals(e.GetString("Status"), status, StringComparison.Ordinal)
                && e.GetDateTimeOffset(column) is { } at && at < cutoff,
            limits,
            cancellationToken);
    }
}
